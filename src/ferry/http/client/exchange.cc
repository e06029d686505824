#include "ferry/http/client/exchange.h"

#include <utility>

namespace ferry::http {

namespace net = boost::asio;

net::awaitable<Result<std::string>> UpstreamResponse::read_all(std::size_t max_bytes) {
  std::string out;
  for (;;) {
    auto piece = co_await read(0);
    if (!piece) co_return piece.error();
    if (piece->empty()) co_return out;
    if (out.size() + piece->size() > max_bytes) {
      co_return Error{Errc::upstream_unreachable,
                      "the upstream response is larger than " + std::to_string(max_bytes) +
                          " bytes"};
    }
    out.append(*piece);
  }
}

}  // namespace ferry::http
