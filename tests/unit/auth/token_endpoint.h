#pragma once

// A scripted OAuth 2 token endpoint for the refresher tests, served by Ferry's own HTTP
// server on an I/O thread of its own (127.0.0.1, port 0), as a provider runs apart from
// the code under test.
#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "ferry/http/json.h"
#include "ferry/http/server/router.h"
#include "ferry/http/server/server.h"

namespace ferry::auth::testing {

using Form = std::map<std::string, std::string>;

// Records every POST /oauth/token (its decoded form fields) and answers with the script.
// The default script plays a rotating provider: refresh_token grants get "at-N"/"rt-N",
// client_credentials grants get "cc-N" (N = the request's number, from 1), 3600 s each.
// Thread-safe: scripts run on the endpoint's own thread.
class TokenEndpoint {
 public:
  struct Reply {
    int status = 200;
    nlohmann::json body;
  };
  // Called with the request's form and its number (from 1).
  using Script = std::function<Reply(const Form& form, int number)>;

  TokenEndpoint() : state_(std::make_shared<State>()) {
    auto router = std::make_shared<http::Router>();
    router->add(http::Verb::post, "/oauth/token",
                [state = state_](http::RequestContext& ctx) { return serve(state, ctx); });
    http::ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    auto server = http::Server::listen(IoWorkers({ioc_.get_executor()}), options, router);
    if (!server) throw std::runtime_error(server.error().message);
    server_ = *server;
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TokenEndpoint() {
    work_.reset();
    ioc_.stop();
    thread_.join();
  }
  TokenEndpoint(const TokenEndpoint&) = delete;
  TokenEndpoint& operator=(const TokenEndpoint&) = delete;

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/oauth/token";
  }
  void script(Script script) {
    std::lock_guard lock(state_->mu);
    state_->script = std::move(script);
  }
  // Every answer waits this long first (so concurrent callers overlap).
  void delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(state_->mu);
    state_->delay = delay;
  }
  int count() const {
    std::lock_guard lock(state_->mu);
    return static_cast<int>(state_->seen.size());
  }
  std::vector<Form> requests() const {
    std::lock_guard lock(state_->mu);
    return state_->seen;
  }

  static Reply rotating(const Form& form, int number) {
    const std::string n = std::to_string(number);
    if (form.count("grant_type") && form.at("grant_type") == "client_credentials") {
      return {200, {{"access_token", "cc-" + n}, {"expires_in", 3600}, {"token_type", "Bearer"}}};
    }
    return {200,
            {{"access_token", "at-" + n},
             {"refresh_token", "rt-" + n},
             {"expires_in", 3600},
             {"token_type", "Bearer"}}};
  }
  static Reply invalid_grant(const Form&, int) {
    return {403,
            {{"error", "invalid_grant"}, {"error_description", "Unknown or invalid refresh token."}}};
  }
  static Reply unavailable(const Form&, int) { return {503, {{"message", "maintenance"}}}; }

 private:
  struct State {
    std::mutex mu;
    Script script = &TokenEndpoint::rotating;  // guarded by mu
    std::chrono::milliseconds delay{0};        // guarded by mu
    std::vector<Form> seen;                    // guarded by mu
  };

  static boost::asio::awaitable<http::Response> serve(std::shared_ptr<State> state,
                                                      http::RequestContext& ctx) {
    Form form;
    for (auto& [name, value] : http::parse_query("/?" + ctx.request.body())) form[name] = value;
    Script script;
    std::chrono::milliseconds delay{};
    int number = 0;
    {
      std::lock_guard lock(state->mu);
      state->seen.push_back(form);
      number = static_cast<int>(state->seen.size());
      script = state->script;
      delay = state->delay;
    }
    if (delay.count() > 0) {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
      timer.expires_after(delay);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    Reply reply = script(form, number);
    co_return http::json_response(static_cast<http::StatusCode>(reply.status), reply.body,
                                  ctx.request.version());
  }

  boost::asio::io_context ioc_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(ioc_);
  std::shared_ptr<State> state_;
  std::shared_ptr<http::Server> server_;
  std::thread thread_;
};

}  // namespace ferry::auth::testing
