// fake-atlassian: a test double of auth.atlassian.com and api.atlassian.com on loopback.
// See README.md. Never part of the product.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "fake_server.h"
#include "listener.h"
#include "routes.h"

int main(int argc, char** argv) {
  namespace fa = ferry::fake_atlassian;
  auto options = fa::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (!options) {
    std::fprintf(stderr, "fake-atlassian: %s\n", options.error().message.c_str());
    return 2;
  }
  if (options->help) {
    std::fputs(fa::usage().c_str(), stdout);
    return 0;
  }
  boost::asio::io_context ioc{1};
  const bool verbose = options->verbose;
  const unsigned short port = options->port;
  auto state = std::make_shared<fa::State>(std::move(*options));
  auto listener =
      fa::Listener::start(ioc, "127.0.0.1", port, fa::make_router(state), state, verbose);
  if (!listener) {
    std::fprintf(stderr, "fake-atlassian: %s\n", listener.error().message.c_str());
    return 1;
  }
  std::printf("%s\n", fa::banner((*listener)->port()).c_str());
  std::fflush(stdout);
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
  ioc.run();
  return 0;
}
