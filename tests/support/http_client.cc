#include "http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <regex>
#include <stdexcept>

namespace ferry::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  unsigned short port;
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;

  void connect() {
    if (connected) return;
    tcp::resolver resolver(ioc);
    stream.connect(resolver.resolve(host, std::to_string(port)));
    connected = true;
  }
  HttpReply read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    // A HEAD answer announces a body it does not send.
    parser.skip(head);
    parser.body_limit(1ull << 32);
    stream.expires_after(std::chrono::seconds(60));
    bhttp::read(stream, buffer, parser);
    auto& res = parser.get();
    HttpReply reply;
    reply.status = static_cast<int>(res.result_int());
    for (auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers.emplace(name, std::string(field.value()));
    }
    reply.body = res.body();
    if (!res.keep_alive()) {
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream.close();
      connected = false;
    }
    return reply;
  }
};

std::string HttpReply::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(std::string host, unsigned short port) : impl_(new Impl) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() { delete impl_; }

HttpReply HttpClient::request(const std::string& method, const std::string& target,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string& body) {
  impl_->connect();
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.method_string(method);
  req.set(bhttp::field::host, impl_->host + ":" + std::to_string(impl_->port));
  for (auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(impl_->stream, req);
  return impl_->read(method == "HEAD");
}

HttpReply HttpClient::raw(const std::string& raw) {
  impl_->connect();
  net::write(impl_->stream, net::buffer(raw));
  return impl_->read();
}

bool HttpClient::server_closed() {
  if (!impl_->connected) return true;
  beast::error_code ec;
  char byte;
  impl_->stream.expires_after(std::chrono::seconds(10));
  impl_->stream.read_some(net::buffer(&byte, 1), ec);
  return ec == net::error::eof || ec == net::error::connection_reset;
}

std::string url_encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

unsigned short port_from_banner(const std::string& output) {
  static const std::regex re("Ferry listening on http://[^:\\s]+:(\\d+)");
  std::smatch m;
  if (!std::regex_search(output, m, re)) throw std::runtime_error("no listening banner in output");
  return static_cast<unsigned short>(std::stoi(m[1]));
}

}  // namespace ferry::testing
