#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry::http {

// Where the body of an outbound request comes from, piece by piece: a buffer held whole
// (replayable, so a request can be sent again), or bytes still arriving from a client
// (sent once). Used by one coroutine at a time.
class BodySource {
 public:
  virtual ~BodySource() = default;

  // Bytes in the body when known (sent as Content-Length), nullopt when it is only known
  // at its end (sent chunked).
  virtual std::optional<std::uint64_t> length() const = 0;
  // Whether rewind() may start the body over, so the request can be sent again.
  virtual bool replayable() const = 0;
  // Starts over from the first byte. REQUIRES: replayable().
  virtual void rewind() = 0;
  // The next piece of the body; empty once the body is complete. The piece stays valid
  // until the next call. Suspends while bytes arrive. Errc::invalid_argument when the body
  // could not be read (the client went away or sent a malformed body).
  virtual boost::asio::awaitable<Result<std::string_view>> next() = 0;
};

// A body held whole in memory (possibly empty): replayable.
class BufferedBody final : public BodySource {
 public:
  BufferedBody() = default;
  explicit BufferedBody(std::string bytes) : bytes_(std::move(bytes)) {}

  std::optional<std::uint64_t> length() const override { return bytes_.size(); }
  bool replayable() const override { return true; }
  void rewind() override { sent_ = false; }
  boost::asio::awaitable<Result<std::string_view>> next() override;

  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
  bool sent_ = false;
};

}  // namespace ferry::http
