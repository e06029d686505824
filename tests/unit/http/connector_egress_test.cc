// The connector's egress check through an outbound proxy: the target is resolved and judged
// before the proxy is contacted, and the tunnel is asked for the checked address itself, so
// the proxy's own DNS cannot send the connection elsewhere.
#include <gtest/gtest.h>

#include <utility>  // before Asio's coroutine headers (GCC 12 + Boost: std::exchange)

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <optional>
#include <thread>

#include "ferry/http/client/connector.h"
#include "ferry/http/client/upstream_connection.h"

namespace ferry::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// An outbound proxy on 127.0.0.1 that records each CONNECT request line and refuses it with
// 403. Serves one connection at a time on its own thread until destroyed.
class RefusingProxy {
 public:
  RefusingProxy() : acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~RefusingProxy() {
    stopping_ = true;
    // Wakes the blocking accept.
    boost::system::error_code ec;
    tcp::socket wake(ioc_);
    wake.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::vector<std::string> request_lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  void serve() {
    while (!stopping_) {
      boost::system::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      net::streambuf buffer;
      net::read_until(socket, buffer, "\r\n\r\n", ec);
      if (ec) continue;
      std::string head(net::buffers_begin(buffer.data()), net::buffers_end(buffer.data()));
      {
        std::lock_guard lock(mutex_);
        lines_.push_back(head.substr(0, head.find("\r\n")));
      }
      net::write(socket, net::buffer(std::string("HTTP/1.1 403 Forbidden\r\n\r\n")), ec);
    }
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  std::thread thread_;
};

class ConnectorEgressTest : public ::testing::Test {
 protected:
  // Connects to `origin` through the proxy, under `allow`; the error it ends with.
  Error connect_through_proxy(const Origin& origin, const std::vector<std::string>& allow) {
    ConnectorOptions options;
    auto settings =
        ProxySettings::from_values("", "http://127.0.0.1:" + std::to_string(proxy_.port()), "");
    EXPECT_TRUE(settings);
    options.proxy = *settings;
    auto policy = EgressPolicy::make(allow);
    EXPECT_TRUE(policy);
    options.egress = *policy;
    auto connector = Connector::create(std::move(options));
    EXPECT_TRUE(connector);
    net::io_context ioc;
    std::optional<Error> error;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
          auto made = co_await (*connector)->connect(ioc.get_executor(), origin,
                                                     std::chrono::seconds(10));
          error = made ? Error{Errc::internal, "connected"} : made.error();
        },
        [](std::exception_ptr) {});
    ioc.run();
    return error.value_or(Error{Errc::internal, "did not finish"});
  }

  RefusingProxy proxy_;
};

TEST_F(ConnectorEgressTest, ACheckedOriginIsTunnelledToTheAddressThatPassed) {
  const Origin origin{false, "localhost", 9, true};
  auto error = connect_through_proxy(origin, {"127.0.0.0/8"});
  EXPECT_EQ(error.code, Errc::upstream_unreachable) << error.message;
  EXPECT_NE(error.message.find("refused a tunnel to 127.0.0.1:9"), std::string::npos)
      << error.message;
  EXPECT_EQ(proxy_.request_lines(), std::vector<std::string>{"CONNECT 127.0.0.1:9 HTTP/1.1"});
}

TEST_F(ConnectorEgressTest, ARefusedOriginNeverReachesTheProxy) {
  for (const char* host : {"localhost", "127.0.0.1", "2130706433", "::1"}) {
    const Origin origin{false, host, 9, true};
    auto error = connect_through_proxy(origin, {});
    EXPECT_EQ(error.code, Errc::egress_forbidden) << host << ": " << error.message;
    EXPECT_NE(error.message.find(host), std::string::npos) << error.message;
  }
  EXPECT_TRUE(proxy_.request_lines().empty());
}

TEST_F(ConnectorEgressTest, AnOperatorOriginIsTunnelledByName) {
  const Origin origin{false, "localhost", 9, false};
  auto error = connect_through_proxy(origin, {});
  EXPECT_EQ(error.code, Errc::upstream_unreachable) << error.message;
  EXPECT_EQ(proxy_.request_lines(), std::vector<std::string>{"CONNECT localhost:9 HTTP/1.1"});
}

TEST_F(ConnectorEgressTest, AnIpv6TargetIsBracketedInTheTunnelRequest) {
  const Origin origin{false, "::1", 9, true};
  auto error = connect_through_proxy(origin, {"::1"});
  EXPECT_EQ(error.code, Errc::upstream_unreachable) << error.message;
  EXPECT_EQ(proxy_.request_lines(), std::vector<std::string>{"CONNECT [::1]:9 HTTP/1.1"});
}

}  // namespace
}  // namespace ferry::http
