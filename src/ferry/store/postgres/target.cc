#include "ferry/store/postgres/target.h"

#include <libpq-fe.h>

#include <cctype>
#include <map>

namespace ferry::store::pg {
namespace {

// The values libpq parsed out of a URL, by keyword; empty values are left out.
std::map<std::string, std::string> parsed_options(PQconninfoOption* options) {
  std::map<std::string, std::string> out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') out[o->keyword] = o->val;
  }
  return out;
}

std::string value_or(const std::map<std::string, std::string>& values, const std::string& key,
                     std::string fallback) {
  auto it = values.find(key);
  return it == values.end() ? std::move(fallback) : it->second;
}

}  // namespace

Result<std::shared_ptr<const Target>> parse_target(std::string_view url) {
  // libpq recognises only the lower-case schemes; ferry.yaml accepts any case.
  std::string text(url);
  const std::size_t scheme_end = text.find("://");
  for (std::size_t i = 0; i < scheme_end && i < text.size(); ++i) {
    text[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  char* reason = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &reason);
  // libpq's reason may quote the part it choked on, which may be the password.
  PQfreemem(reason);
  if (options == nullptr) {
    return Error{Errc::invalid_argument, "database_url is not a valid PostgreSQL URL"};
  }
  const auto values = parsed_options(options);
  PQconninfoFree(options);
  auto target = std::make_shared<Target>();
  target->url = text;
  target->password = value_or(values, "password", "");
  // libpq's defaults: the database named like the user, the local socket, port 5432.
  const std::string database =
      value_or(values, "dbname", value_or(values, "user", "(the user's default)"));
  const std::string host =
      value_or(values, "host", value_or(values, "hostaddr", "the local socket"));
  target->label = "\"" + database + "\" on " + host + ":" + value_or(values, "port", "5432");
  return std::shared_ptr<const Target>(std::move(target));
}

std::string scrub(const Target& target, std::string_view message) {
  std::string out(message.substr(0, message.find('\n')));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\r' || out.back() == '.')) {
    out.pop_back();
  }
  if (!target.password.empty()) {
    for (std::size_t at = out.find(target.password); at != std::string::npos;
         at = out.find(target.password, at + 3)) {
      out.replace(at, target.password.size(), "***");
    }
  }
  return out;
}

}  // namespace ferry::store::pg
