#include "fake_server.h"

// <utility> before Asio: its coroutine headers need std::exchange.
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "listener.h"
#include "routes.h"

namespace ferry::fake_atlassian {

namespace net = boost::asio;

std::shared_ptr<http::Router> make_router(std::shared_ptr<State> state) {
  auto router = std::make_shared<http::Router>();
  add_oauth_routes(*router, state);
  add_resource_routes(*router, state);
  add_jira_routes(*router, state);
  add_webhook_routes(*router, state);
  add_confluence_routes(*router, state);
  add_admin_routes(*router, state);
  add_webhook_admin_routes(*router, state);
  return router;
}

std::string banner(unsigned short port) {
  return "fake-atlassian listening on http://127.0.0.1:" + std::to_string(port);
}

struct FakeServer::Impl {
  net::io_context ioc{1};
  std::shared_ptr<Listener> listener;
  std::thread thread;
};

Result<std::unique_ptr<FakeServer>> FakeServer::start(Options options) {
  auto impl = std::make_unique<Impl>();
  const bool verbose = options.verbose;
  const unsigned short port = options.port;
  auto state = std::make_shared<State>(std::move(options));
  auto listener = Listener::start(impl->ioc, "127.0.0.1", port, make_router(state), state, verbose);
  if (!listener) return listener.error();
  impl->listener = std::move(*listener);
  impl->thread = std::thread([ioc = &impl->ioc] {
    auto guard = net::make_work_guard(*ioc);
    ioc->run();
  });
  return std::unique_ptr<FakeServer>(new FakeServer(std::move(impl)));
}

FakeServer::FakeServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FakeServer::~FakeServer() {
  impl_->listener->stop();
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

unsigned short FakeServer::port() const { return impl_->listener->port(); }

std::string FakeServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

}  // namespace ferry::fake_atlassian
