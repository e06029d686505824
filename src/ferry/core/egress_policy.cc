#include "ferry/core/egress_policy.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace ferry {
namespace {

struct SpecialRange {
  std::string_view cidr;
  std::string_view kind;
};

// Most specific first: the first match names the reason.
constexpr SpecialRange kSpecialRanges[] = {
    {"255.255.255.255/32", "broadcast"},
    {"0.0.0.0/8", "unspecified"},
    {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "carrier-grade NAT"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},
    {"172.16.0.0/12", "private"},
    {"192.168.0.0/16", "private"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"},
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"fc00::/7", "private (unique local)"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local"},
    {"ff00::/8", "multicast"},
    {"64:ff9b:1::/48", "local-use NAT64"},
};

const std::vector<std::pair<IpNetwork, std::string_view>>& special_networks() {
  static const std::vector<std::pair<IpNetwork, std::string_view>> networks = [] {
    std::vector<std::pair<IpNetwork, std::string_view>> out;
    for (const auto& range : kSpecialRanges) {
      out.emplace_back(IpNetwork::parse(range.cidr).value(), range.kind);
    }
    return out;
  }();
  return networks;
}

std::string normalized_name(std::string_view host) {
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.front() == '-') {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == '_';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos;
}

Error bad_entry(std::string_view entry, std::string_view why) {
  return Error{Errc::invalid_argument,
               "egress.allow entry \"" + std::string(entry) + "\" " + std::string(why)};
}

}  // namespace

std::string special_range(const IpAddress& address) {
  for (const auto& [network, kind] : special_networks()) {
    if (network.contains(address)) return std::string(kind) + " (" + network.to_string() + ")";
  }
  return "";
}

Result<EgressPolicy> EgressPolicy::make(const std::vector<std::string>& allow) {
  EgressPolicy policy;
  for (const auto& entry : allow) {
    if (entry.find('/') != std::string::npos || entry.find(':') != std::string::npos ||
        parse_ip(entry)) {
      auto network = IpNetwork::parse(entry);
      if (!network) return bad_entry(entry, "is not a CIDR: " + network.error().message);
      policy.networks_.push_back(*network);
      continue;
    }
    if (parse_ipv4_any_spelling(entry)) {
      return bad_entry(entry, "is an IPv4 address in an odd spelling; write it as " +
                                  parse_ipv4_any_spelling(entry)->to_string());
    }
    std::string name = normalized_name(entry);
    if (name.starts_with("*.") && is_host_name(name.substr(2))) {
      policy.suffixes_.push_back(name.substr(1));
      continue;
    }
    if (!is_host_name(name)) return bad_entry(entry, "is not a CIDR, an address or a host name");
    policy.names_.push_back(std::move(name));
  }
  return policy;
}

EgressPolicy::Decision EgressPolicy::decide(std::string_view host, const IpAddress& address,
                                            bool https) const {
  const std::string name = normalized_name(host);
  for (const auto& listed : names_) {
    if (listed == name) return {true, {}};
  }
  for (const auto& suffix : suffixes_) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) return {true, {}};
  }
  const std::optional<IpAddress> inner = embedded_ipv4(address);
  for (const auto& network : networks_) {
    if (network.contains(address) || (inner && network.contains(*inner))) return {true, {}};
  }
  const IpAddress& judged = inner ? *inner : address;
  if (std::string range = special_range(judged); !range.empty()) {
    std::string shown = inner ? address.to_string() + " (" + judged.to_string() + ")"
                              : judged.to_string();
    return {false, shown + " is " + range};
  }
  if (!https) {
    return {false, "plain http is allowed only to hosts listed in egress.allow; use https"};
  }
  return {true, {}};
}

}  // namespace ferry
