#pragma once

// Many HTTP calls at once from one io_context, each on a fresh connection: what the
// concurrency tests use to put a server under simultaneous load without a thread per call.
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fake_atlassian_setup.h"

namespace ferry::testing {

// One HTTP call to 127.0.0.1:`port`.
struct Call {
  unsigned short port = 0;
  std::string method = "GET";
  std::string target;
  Headers headers;
  std::string body;
};

// How a Call ended: the status (-1 when the exchange failed or outlasted its timeout), the
// body, and how long it took from connecting to the last byte (or to the failure).
struct CallResult {
  int status = -1;
  std::string body;
  std::chrono::milliseconds elapsed{0};
};

// Makes `call` on a fresh connection, giving up after `timeout`. `on_written`, when given,
// runs once the request has been written in full (the server has it), before the answer is
// read. Never throws on a network failure: it is reported as status -1.
inline boost::asio::awaitable<CallResult> make_call(
    Call call, std::chrono::seconds timeout, std::function<void()> on_written = nullptr) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  namespace bhttp = beast::http;
  const auto started = std::chrono::steady_clock::now();
  CallResult result;
  auto finish = [&] {
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return result;
  };
  beast::tcp_stream stream(co_await net::this_coro::executor);
  stream.expires_after(timeout);
  boost::system::error_code ec;
  const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), call.port);
  co_await stream.async_connect(endpoint, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return finish();
  bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(call.method), call.target, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [name, value] : call.headers) request.set(name, value);
  request.body() = std::move(call.body);
  request.prepare_payload();
  co_await bhttp::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return finish();
  if (on_written) on_written();
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  co_await bhttp::async_read(stream, buffer, response, net::redirect_error(net::use_awaitable, ec));
  if (ec) co_return finish();
  result.status = static_cast<int>(response.result_int());
  result.body = std::move(response.body());
  co_return finish();
}

// One GET on a fresh connection; the status, or -1 when the exchange failed or took longer
// than `timeout`.
inline boost::asio::awaitable<int> get_status(unsigned short port, std::string target,
                                              Headers headers, std::chrono::seconds timeout) {
  // Named, not braced inside the co_await: GCC 12 destroys such temporaries twice.
  Call call{port, "GET", std::move(target), std::move(headers), ""};
  std::function<void()> no_notice;
  const CallResult result = co_await make_call(std::move(call), timeout, std::move(no_notice));
  co_return result.status;
}

// Calls made all at once on a thread of their own (one io_context), so that the test can act
// while they are in flight: started by the constructor; results() waits for every one. Each
// call gives up after `timeout`. The destructor waits for the calls too. Not copyable; use
// from one thread.
class CallsInFlight {
 public:
  CallsInFlight(std::vector<Call> calls, std::chrono::seconds timeout)
      : results_(calls.size()) {
    for (std::size_t i = 0; i < calls.size(); ++i) {
      boost::asio::co_spawn(ioc_, run_one(i, std::move(calls[i]), timeout),
                            boost::asio::detached);
    }
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~CallsInFlight() { join(); }
  CallsInFlight(const CallsInFlight&) = delete;
  CallsInFlight& operator=(const CallsInFlight&) = delete;

  // Waits until every request has been written in full (each server has its calls), up to
  // `timeout`. False on timeout, or when a call failed before its request was written.
  bool wait_until_written(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [this] {
      return written_ == static_cast<int>(results_.size()) || failed_unwritten_;
    }) && !failed_unwritten_;
  }

  // Every call's result, in the order of the calls given; waits for all of them.
  const std::vector<CallResult>& results() {
    join();
    return results_;
  }

 private:
  boost::asio::awaitable<void> run_one(std::size_t index, Call call,
                                       std::chrono::seconds timeout) {
    bool written = false;
    std::function<void()> note_written = [this, &written] {
      written = true;
      std::lock_guard lock(mu_);
      ++written_;
      changed_.notify_all();
    };
    results_[index] = co_await make_call(std::move(call), timeout, std::move(note_written));
    if (!written) {
      std::lock_guard lock(mu_);
      failed_unwritten_ = true;
      changed_.notify_all();
    }
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  boost::asio::io_context ioc_;
  std::vector<CallResult> results_;
  std::mutex mu_;
  std::condition_variable changed_;
  int written_ = 0;
  bool failed_unwritten_ = false;
  std::thread thread_;
};

// Makes every call at once and returns their results in order.
inline std::vector<CallResult> make_calls_at_once(std::vector<Call> calls,
                                                  std::chrono::seconds timeout) {
  CallsInFlight in_flight(std::move(calls), timeout);
  return in_flight.results();
}

}  // namespace ferry::testing
