#include "ferry/http/client/body_source.h"

namespace ferry::http {

boost::asio::awaitable<Result<std::string_view>> BufferedBody::next() {
  if (sent_) co_return std::string_view();
  sent_ = true;
  co_return std::string_view(bytes_);
}

}  // namespace ferry::http
