#pragma once

// A fake of Ferry's upstream engine (http::Exchange) for unit tests of its callers: the
// proxy's forwarder and the OAuth token client. Each send() is answered by a script, and
// every request is recorded with its whole body. Header-only: the test binary links
// ferry_http itself.
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ferry/http/client/exchange.h"

namespace ferry::testing {

class FakeExchange final : public http::Exchange {
 public:
  // What one send() answers: a response (status, headers, body), or a failure.
  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::optional<http::SendFailure> failure;
    std::optional<http::SendFailure> stale_first_try;
  };
  // One recorded send().
  struct Sent {
    http::OutboundRequest request;
    std::string body;
  };
  // Called with the request, its body and its number (from 1).
  using Script = std::function<Reply(const http::OutboundRequest&, const std::string&, int)>;

  explicit FakeExchange(Script script) : script_(std::move(script)) {}

  static Reply answer(int status, std::string body = "{}",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    Reply reply;
    reply.status = status;
    reply.body = std::move(body);
    reply.headers = std::move(headers);
    return reply;
  }
  static Reply failing(http::SendFailureKind kind, bool request_sent, Errc code,
                       std::string message) {
    Reply reply;
    reply.failure = http::SendFailure{Error{code, std::move(message)}, kind, request_sent};
    return reply;
  }

  boost::asio::awaitable<http::ExchangeOutcome> send(const http::OutboundRequest& request,
                                                     http::BodySource& body) override {
    std::string bytes;
    for (;;) {
      auto piece = co_await body.next();
      if (!piece) {
        http::ExchangeOutcome outcome;
        outcome.failure = http::SendFailure{piece.error(), http::SendFailureKind::body_unreadable,
                                            false};
        co_return outcome;
      }
      if (piece->empty()) break;
      bytes.append(*piece);
    }
    int number = 0;
    {
      std::lock_guard lock(mu_);
      sent_.push_back({request, bytes});
      number = static_cast<int>(sent_.size());
    }
    Reply reply = script_(request, bytes, number);
    http::ExchangeOutcome outcome;
    outcome.stale_first_try = reply.stale_first_try;
    if (reply.failure) {
      outcome.failure = reply.failure;
    } else {
      outcome.response = std::make_unique<Response>(std::move(reply));
    }
    co_return outcome;
  }

  std::vector<Sent> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  // The body comes back in two pieces, so callers are seen to read more than one.
  class Response final : public http::UpstreamResponse {
   public:
    explicit Response(Reply reply) : body_(std::move(reply.body)) {
      head_.result(static_cast<unsigned>(reply.status));
      for (const auto& [name, value] : reply.headers) head_.insert(name, value);
    }
    const http::ResponseHead& head() const override { return head_; }
    std::optional<std::uint64_t> content_length() const override { return body_.size(); }
    bool close_delimited() const override { return false; }
    bool complete() const override { return offset_ >= body_.size(); }
    boost::asio::awaitable<Result<std::string_view>> read(std::size_t limit) override {
      std::size_t size = std::min(body_.size() - offset_, std::max<std::size_t>(1, body_.size() / 2));
      if (limit > 0) size = std::min(size, limit);
      std::string_view piece(body_.data() + offset_, size);
      offset_ += size;
      co_return piece;
    }

   private:
    http::ResponseHead head_;
    std::string body_;
    std::size_t offset_ = 0;
  };

  Script script_;
  mutable std::mutex mu_;
  std::vector<Sent> sent_;
};

}  // namespace ferry::testing
