#include "ferry/http/client/upstream_connection.h"

namespace ferry::http {

UpstreamConnection::UpstreamConnection(Origin origin, std::unique_ptr<PlainStream> plain)
    : origin_(std::move(origin)), plain_(std::move(plain)) {}

UpstreamConnection::UpstreamConnection(Origin origin, std::unique_ptr<TlsStream> tls)
    : origin_(std::move(origin)), tls_(std::move(tls)) {}

boost::beast::tcp_stream& UpstreamConnection::tcp() {
  return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_;
}

}  // namespace ferry::http
