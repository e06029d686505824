#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::testing {

struct HttpReply {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& lower_name) const;
};

// A blocking HTTP/1.1 client for tests: one connection, kept open between requests.
class HttpClient {
 public:
  HttpClient(std::string host, unsigned short port);
  ~HttpClient();

  HttpReply request(const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                    const std::string& body = "");
  HttpReply get(const std::string& target,
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return request("GET", target, headers);
  }
  // Writes `raw` bytes as they are and reads one response (for malformed-request tests).
  HttpReply raw(const std::string& raw);
  // True when the server has closed the connection (the next read sees EOF).
  bool server_closed();

 private:
  struct Impl;
  Impl* impl_;
};

// `text` with every byte but RFC 3986 unreserved characters percent-encoded: safe as a query
// value or a single path segment.
std::string url_encode(std::string_view text);

// Extracts the port from the server banner "Ferry listening on http://ADDR:PORT".
unsigned short port_from_banner(const std::string& output);

}  // namespace ferry::testing
