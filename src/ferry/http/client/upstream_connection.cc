#include "ferry/http/client/upstream_connection.h"

#include <openssl/ssl.h>

namespace ferry::http {

UpstreamConnection::UpstreamConnection(Origin origin, std::unique_ptr<PlainStream> plain)
    : origin_(std::move(origin)), plain_(std::move(plain)) {}

UpstreamConnection::UpstreamConnection(Origin origin, std::unique_ptr<TlsStream> tls)
    : origin_(std::move(origin)), tls_(std::move(tls)) {}

boost::beast::tcp_stream& UpstreamConnection::tcp() {
  return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_;
}

std::span<char> UpstreamConnection::relay_buffer(std::size_t size) {
  if (relay_size_ < size) {
    relay_ = std::make_unique<char[]>(size);
    relay_size_ = size;
  }
  return {relay_.get(), relay_size_};
}

bool UpstreamConnection::drained() {
  if (read_buffer_.size() != 0) return false;
  return !tls_ || SSL_pending(tls_->native_handle()) == 0;
}

}  // namespace ferry::http
