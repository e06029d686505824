#include "test_upstream.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <string_view>
#include <thread>

#include "http_client.h"
#include "process.h"
#include "test_certificates.h"

namespace ferry::testing {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;
using Response = bhttp::response<bhttp::string_body>;

// SHA-256 computed independently of the server, in one call.
std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

std::string pattern(std::size_t n) {
  std::string bytes(n, '\0');
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>(i % 251);
  return bytes;
}

// Everything the peer sends before closing, after writing `request` on a fresh connection.
std::string send_and_read_to_eof(unsigned short port, const std::string& request) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  net::write(socket, net::buffer(request));
  std::string received;
  beast::error_code ec;
  char buffer[4096];
  while (!ec) received.append(buffer, socket.read_some(net::buffer(buffer), ec));
  return received;
}

// The outcome of a GET over TLS that verifies the server as `verify_host` against `ca_file`.
struct TlsReply {
  beast::error_code handshake_error;
  int status = 0;
  std::string body;
};

TlsReply tls_get(unsigned short port, const std::string& ca_file, const std::string& verify_host,
                 const std::string& target) {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), verify_host.c_str());
  stream.set_verify_callback(ssl::host_name_verification(verify_host));
  beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  TlsReply reply;
  stream.handshake(ssl::stream_base::client, reply.handshake_error);
  if (reply.handshake_error) return reply;
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, verify_host);
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res);
  reply.status = res.result_int();
  reply.body = res.body();
  return reply;
}

// Everything the peer sends before the connection ends, after writing `request` on a fresh TLS
// connection that trusts `ca_file`. `end` is the error that ended it: eof after a TLS
// close_notify, ssl::error::stream_truncated when the TCP connection closed without one.
std::string tls_send_and_read_to_end(unsigned short port, const std::string& ca_file,
                                     const std::string& request, beast::error_code& end) {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.handshake(ssl::stream_base::client);
  net::write(stream, net::buffer(request));
  std::string received;
  char buffer[4096];
  end = {};
  while (!end) received.append(buffer, stream.read_some(net::buffer(buffer), end));
  return received;
}

// The responses on `wire` in order, parsed as a client would; a body without a length ends with
// `wire`. Stops at the first one that is malformed or cut short, reporting a test failure.
std::vector<Response> parse_responses(std::string_view wire) {
  std::vector<Response> responses;
  while (!wire.empty()) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.eager(true);
    beast::error_code ec;
    while (!ec && !parser.is_done() && !wire.empty())
      wire.remove_prefix(parser.put(net::buffer(wire.data(), wire.size()), ec));
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    if (ec) {
      ADD_FAILURE() << "response " << responses.size() << ": " << ec.message();
      break;
    }
    responses.push_back(parser.release());
  }
  return responses;
}

bhttp::request<bhttp::string_body> make_request(bhttp::verb method, const std::string& target,
                                                std::string body = "") {
  bhttp::request<bhttp::string_body> req{method, target, 11};
  req.set(bhttp::field::host, "x");
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

// Writes `req` on `stream` and reads one response; `ec` is the read's error.
Response exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                  const bhttp::request<bhttp::string_body>& req, beast::error_code& ec) {
  bhttp::write(stream, req);
  Response res;
  bhttp::read(stream, buffer, res, ec);
  return res;
}

beast::tcp_stream connect_to(net::io_context& ioc, unsigned short port) {
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  return stream;
}

// Polls `condition` until it holds or 10 seconds pass; true when it held.
bool eventually(const std::function<bool()>& condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

std::string lower_case(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

TEST(TestUpstream, EchoesMethodTargetHeadersAndBody) {
  struct Case {
    const char* name;
    std::string body;
    bool body_as_string;
  };
  const std::vector<Case> cases = {
      {"empty", "", true},
      {"utf8", "h\xc3\xa9llo {\"json\": [1, 2]}\n\t\\", true},
      {"invalid utf8", std::string("ab\xff\xfe", 4), false},
      {"just under 64 KiB", std::string(64 * 1024 - 1, 'x'), true},
      {"64 KiB", std::string(64 * 1024, 'x'), false},
      {"1 MiB binary", pattern(1 << 20), false},
  };
  auto upstream = TestUpstream::start();
  HttpClient client("127.0.0.1", upstream->port());
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    HttpReply reply = client.request("PUT", "/echo/sub?q=1&r=%20", {{"X-Custom", "v1"}}, c.body);
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("content-type"), "application/json");
    json echo = json::parse(reply.body);
    EXPECT_EQ(echo["method"], "PUT");
    EXPECT_EQ(echo["target"], "/echo/sub?q=1&r=%20");
    EXPECT_EQ(echo["headers"]["x-custom"], "v1");
    EXPECT_EQ(echo["headers"]["content-length"], std::to_string(c.body.size()));
    EXPECT_EQ(echo["body_size"], c.body.size());
    EXPECT_EQ(echo["body_sha256"], sha256_hex(c.body));
    if (c.body_as_string)
      EXPECT_EQ(echo["body"], c.body);
    else
      EXPECT_TRUE(echo["body"].is_null());
  }
}

TEST(TestUpstream, EchoJoinsRepeatedHeadersAndReadsChunkedBodies) {
  auto upstream = TestUpstream::start();
  HttpClient client("127.0.0.1", upstream->port());
  HttpReply reply = client.raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nX-Rep: a\r\nx-rep: b\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_EQ(reply.status, 200);
  json echo = json::parse(reply.body);
  EXPECT_EQ(echo["headers"]["x-rep"], "a, b");
  EXPECT_EQ(echo["body"], "abcde");
  EXPECT_EQ(echo["body_size"], 5);
  EXPECT_EQ(echo["body_sha256"], sha256_hex("abcde"));
}

TEST(TestUpstream, PatternSha256MatchesThePatternBytes) {
  for (std::size_t n : {0, 1, 250, 251, 252, 65536, 65536 + 251 + 7, 300000}) {
    SCOPED_TRACE(n);
    EXPECT_EQ(TestUpstream::pattern_sha256(n), sha256_hex(pattern(n)));
  }
}

TEST(TestUpstream, StreamsTheBytePatternWithEitherFraming) {
  constexpr std::size_t kSize = 10 * 1024 * 1024;
  struct Case {
    std::string target;
    bool chunked;
  };
  const std::vector<Case> cases = {{"/bytes/" + std::to_string(kSize), false},
                                   {"/bytes/" + std::to_string(kSize) + "?chunked=1", true},
                                   {"/bytes/0", false}};
  auto upstream = TestUpstream::start();
  HttpClient client("127.0.0.1", upstream->port());
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    HttpReply reply = client.get(c.target);
    std::size_t size = c.target == "/bytes/0" ? 0 : kSize;
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("content-type"), "application/octet-stream");
    EXPECT_EQ(reply.header("transfer-encoding"), c.chunked ? "chunked" : "");
    EXPECT_EQ(reply.header("content-length"), c.chunked ? "" : std::to_string(size));
    ASSERT_EQ(reply.body.size(), size);
    EXPECT_EQ(reply.body, pattern(size));
    EXPECT_EQ(sha256_hex(reply.body), TestUpstream::pattern_sha256(size));
  }
  EXPECT_EQ(upstream->connections_accepted(), 1u);
}

TEST(TestUpstream, StatusRouteSendsHopByHopAndRepeatedHeaders) {
  auto upstream = TestUpstream::start();
  HttpClient client("127.0.0.1", upstream->port());
  for (int status : {200, 201, 404, 503, 204}) {
    SCOPED_TRACE(status);
    HttpReply reply = client.get("/status/" + std::to_string(status));
    EXPECT_EQ(reply.status, status);
    EXPECT_EQ(reply.body, status == 204 ? "" : "{\"status\":" + std::to_string(status) + "}");
    EXPECT_EQ(reply.header("x-upstream"), "yes");
    EXPECT_EQ(reply.header("connection"), "X-Hop-Secret");
    EXPECT_EQ(reply.header("x-hop-secret"), "should-not-pass");
    EXPECT_EQ(reply.header("keep-alive"), "timeout=5");
    EXPECT_EQ(reply.headers.count("set-cookie"), 2u);
    EXPECT_EQ(reply.headers.count("content-length"), status == 204 ? 0u : 1u);
  }
  EXPECT_EQ(client.get("/status/99").status, 400);
}

TEST(TestUpstream, UnknownPathsAreNotFound) {
  auto upstream = TestUpstream::start();
  HttpClient client("127.0.0.1", upstream->port());
  HttpReply reply = client.get("/nowhere");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(json::parse(reply.body), json::parse(R"({"error":"not found"})"));
}

TEST(TestUpstream, SlowRouteDoesNotHoldUpOtherConnections) {
  auto upstream = TestUpstream::start();
  auto started = std::chrono::steady_clock::now();
  auto slow = std::async(std::launch::async, [&] {
    HttpClient client("127.0.0.1", upstream->port());
    return client.get("/slow/1500");
  });
  HttpClient fast("127.0.0.1", upstream->port());
  EXPECT_EQ(fast.get("/echo").status, 200);
  EXPECT_NE(slow.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  HttpReply reply = slow.get();
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(json::parse(reply.body), json::parse(R"({"slept":1500})"));
}

TEST(TestUpstream, ServesManyConcurrentConnections) {
  constexpr int kClients = 64;
  auto upstream = TestUpstream::start();
  auto started = std::chrono::steady_clock::now();
  std::vector<std::future<int>> replies;
  for (int i = 0; i < kClients; ++i) {
    replies.push_back(std::async(std::launch::async, [&] {
      HttpClient client("127.0.0.1", upstream->port());
      return client.get("/slow/300").status;
    }));
  }
  for (auto& reply : replies) EXPECT_EQ(reply.get(), 200);
  // One at a time would take 64 * 300 ms.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(6));
  EXPECT_EQ(upstream->connections_accepted(), static_cast<std::size_t>(kClients));
  EXPECT_EQ(upstream->count(), static_cast<std::size_t>(kClients));
}

TEST(TestUpstream, StopsWhileRequestsAreInFlight) {
  auto upstream = TestUpstream::start();
  auto slow = std::async(std::launch::async, [port = upstream->port()] {
    HttpClient client("127.0.0.1", port);
    client.get("/slow/60000");
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (upstream->count() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(upstream->count(), 1u);
  upstream.reset();
  ASSERT_EQ(slow.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_ANY_THROW(slow.get());
}

TEST(TestUpstream, CloseRouteHangsUpWithoutAnswering) {
  auto upstream = TestUpstream::start();
  std::string received = send_and_read_to_eof(
      upstream->port(), "POST /close HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(received, "");
  EXPECT_EQ(upstream->last().target, "/close");
  EXPECT_EQ(upstream->last().body, "abc");
  HttpClient client("127.0.0.1", upstream->port());
  EXPECT_ANY_THROW(client.get("/close"));
}

TEST(TestUpstream, CloseWhenIdleRouteClosesAConnectionLeftIdle) {
  auto upstream = TestUpstream::start();
  // Answered, then closed by the server about 100 ms later: the read ends at its FIN.
  std::string received = send_and_read_to_eof(
      upstream->port(), "GET /close-when-idle HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(received.find("{\"close_when_idle\":true}"), std::string::npos) << received;
  EXPECT_EQ(received.find("Connection: close"), std::string::npos) << "answered keep-alive";
  // A request that follows at once is served on the same connection.
  HttpClient client("127.0.0.1", upstream->port());
  EXPECT_EQ(client.get("/close-when-idle").status, 200);
  EXPECT_EQ(client.get("/echo/soon").status, 200);
  EXPECT_EQ(upstream->connections_accepted(), 2u);
}

TEST(TestUpstream, HeadCheckAnnouncesALengthWithoutABody) {
  auto upstream = TestUpstream::start();
  std::string received = send_and_read_to_eof(
      upstream->port(),
      "HEAD /head-check HTTP/1.1\r\nHost: x\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n");
  std::size_t second = received.find("HTTP/1.1", 1);
  ASSERT_NE(second, std::string::npos);
  std::string head = received.substr(0, second);
  EXPECT_NE(head.find("Content-Length: 1234\r\n"), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");  // nothing after the header
  EXPECT_NE(received.find("\"target\":\"/echo\""), std::string::npos);

  HttpClient client("127.0.0.1", upstream->port());
  HttpReply reply = client.get("/head-check");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, pattern(1234));
}

TEST(TestUpstream, InterimRouteSendsBothInformationalHeadsBeforeTheAnswer) {
  auto upstream = TestUpstream::start();
  std::string received =
      send_and_read_to_eof(upstream->port(),
                           "GET /interim HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /echo/after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(received.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"))
      << received;
  std::vector<Response> responses = parse_responses(received);
  ASSERT_EQ(responses.size(), 4u);
  EXPECT_EQ(responses[0].result_int(), 100u);
  EXPECT_EQ(responses[1].result_int(), 103u);
  EXPECT_EQ(responses[1][bhttp::field::link], "</style.css>; rel=preload");
  EXPECT_EQ(responses[2].result_int(), 200u);
  EXPECT_EQ(responses[2][bhttp::field::content_type], "application/json");
  EXPECT_EQ(responses[2].body(), R"({"interim":true})");
  EXPECT_TRUE(responses[2].keep_alive());
  EXPECT_EQ(json::parse(responses[3].body())["target"], "/echo/after");
  EXPECT_EQ(upstream->connections_accepted(), 1u);
}

TEST(TestUpstream, InterimRouteSendsNoInformationalHeadsToHttp10) {
  auto upstream = TestUpstream::start();
  std::string received = send_and_read_to_eof(upstream->port(), "GET /interim HTTP/1.0\r\n\r\n");
  std::vector<Response> responses = parse_responses(received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].result_int(), 200u);
  EXPECT_EQ(responses[0].body(), R"({"interim":true})");
}

TEST(TestUpstream, CloseDelimitedRouteEndsTheBodyByClosing) {
  auto upstream = TestUpstream::start();
  for (std::size_t size : {0, 1, 300000}) {
    SCOPED_TRACE(size);
    // The request asks for keep-alive: the server closes of its own accord.
    std::string received =
        send_and_read_to_eof(upstream->port(), "GET /close-delimited/" + std::to_string(size) +
                                                   " HTTP/1.1\r\nHost: x\r\n\r\n");
    std::size_t header_end = received.find("\r\n\r\n");
    ASSERT_NE(header_end, std::string::npos);
    std::string head = lower_case(received.substr(0, header_end + 4));
    EXPECT_TRUE(head.starts_with("http/1.1 200 ok\r\n")) << head;
    EXPECT_NE(head.find("\r\ncontent-type: application/octet-stream\r\n"), std::string::npos);
    EXPECT_NE(head.find("\r\nconnection: close\r\n"), std::string::npos) << head;
    EXPECT_EQ(head.find("content-length"), std::string::npos) << head;
    EXPECT_EQ(head.find("transfer-encoding"), std::string::npos) << head;
    EXPECT_EQ(received.substr(header_end + 4), pattern(size));
  }
  EXPECT_EQ(upstream->connections_accepted(), 3u);
  HttpClient client("127.0.0.1", upstream->port());
  EXPECT_EQ(client.get("/close-delimited/many").status, 400);
}

TEST(TestUpstream, ExtraBytesRouteSendsAnUnaskedResponseAfterTheFirst) {
  auto upstream = TestUpstream::start();
  net::io_context ioc;
  beast::tcp_stream stream = connect_to(ioc, upstream->port());
  beast::flat_buffer buffer;
  beast::error_code ec;
  Response first = exchange(stream, buffer, make_request(bhttp::verb::get, "/extra-bytes"), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(first.result_int(), 200u);
  EXPECT_EQ(first[bhttp::field::content_type], "application/json");
  EXPECT_EQ(first[bhttp::field::content_length], "15");
  EXPECT_EQ(first.body(), R"({"extra":false})");
  EXPECT_TRUE(first.keep_alive());

  // Sent with the first response, before any second request.
  const std::string smuggled =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
      "{\"smuggled\":true}";
  if (buffer.size() < smuggled.size())
    net::read(stream, buffer, net::transfer_exactly(smuggled.size() - buffer.size()));
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), smuggled);
  buffer.consume(buffer.size());

  Response next = exchange(stream, buffer, make_request(bhttp::verb::get, "/echo/next"), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(json::parse(next.body())["target"], "/echo/next");
  EXPECT_EQ(upstream->count(), 2u);
  EXPECT_EQ(upstream->connections_accepted(), 1u);
}

TEST(TestUpstream, DropNextRouteHangsUpOnTheNextRequestOnlyAfterRecordingIt) {
  auto upstream = TestUpstream::start();
  net::io_context ioc;
  beast::tcp_stream marked = connect_to(ioc, upstream->port());
  beast::tcp_stream other = connect_to(ioc, upstream->port());
  beast::flat_buffer marked_buffer, other_buffer;
  beast::error_code ec;
  exchange(other, other_buffer, make_request(bhttp::verb::get, "/echo/other-before"), ec);
  ASSERT_FALSE(ec) << ec.message();

  Response answer =
      exchange(marked, marked_buffer, make_request(bhttp::verb::get, "/drop-next"), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(answer.result_int(), 200u);
  EXPECT_EQ(answer[bhttp::field::content_type], "application/json");
  EXPECT_EQ(answer.body(), R"({"drop_next":true})");
  EXPECT_TRUE(answer.keep_alive());

  // Another connection's next request is answered.
  Response other_answer =
      exchange(other, other_buffer, make_request(bhttp::verb::get, "/echo/other-after"), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(json::parse(other_answer.body())["target"], "/echo/other-after");

  exchange(marked, marked_buffer, make_request(bhttp::verb::post, "/echo/unanswered", "abc"), ec);
  EXPECT_EQ(ec, bhttp::error::end_of_stream) << ec.message();
  TestUpstream::Seen unanswered = upstream->last();
  EXPECT_EQ(unanswered.method, "POST");
  EXPECT_EQ(unanswered.target, "/echo/unanswered");
  EXPECT_EQ(unanswered.body, "abc");
  EXPECT_TRUE(eventually([&] { return upstream->open_connections() == 1; }));

  HttpClient fresh("127.0.0.1", upstream->port());
  EXPECT_EQ(fresh.get("/echo").status, 200);
  EXPECT_EQ(upstream->count(), 5u);
}

TEST(TestUpstream, OpenConnectionsCountsConnectionsUntilTheyEnd) {
  auto upstream = TestUpstream::start();
  EXPECT_EQ(upstream->open_connections(), 0u);
  {
    HttpClient first("127.0.0.1", upstream->port());
    HttpClient second("127.0.0.1", upstream->port());
    EXPECT_EQ(first.get("/echo").status, 200);
    EXPECT_EQ(second.get("/echo").status, 200);
    EXPECT_EQ(upstream->open_connections(), 2u);
  }
  EXPECT_TRUE(eventually([&] { return upstream->open_connections() == 0; }));

  std::string received =
      send_and_read_to_eof(upstream->port(), "GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(received, "");
  EXPECT_TRUE(eventually([&] { return upstream->open_connections() == 0; }));
  EXPECT_EQ(upstream->connections_accepted(), 3u);
}

TEST(TestUpstream, RecordsEveryRequest) {
  auto upstream = TestUpstream::start();
  EXPECT_EQ(upstream->base_url(), "http://127.0.0.1:" + std::to_string(upstream->port()) + "/");
  EXPECT_THROW(upstream->last(), std::runtime_error);
  HttpClient client("127.0.0.1", upstream->port());
  std::string big = pattern(200 * 1024);
  client.request("POST", "/status/201", {{"X-Mixed-Case", "Value"}}, big);
  client.get("/anything?x=1");

  std::vector<TestUpstream::Seen> seen = upstream->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/status/201");
  ASSERT_EQ(seen[0].headers.count("x-mixed-case"), 1u);
  EXPECT_EQ(seen[0].headers.find("x-mixed-case")->second, "Value");
  EXPECT_EQ(seen[0].body_size, big.size());
  EXPECT_EQ(seen[0].body_sha256_hex, sha256_hex(big));
  EXPECT_EQ(seen[0].body, big.substr(0, 64 * 1024));
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].body_size, 0u);
  EXPECT_EQ(seen[1].body_sha256_hex, sha256_hex(""));
  EXPECT_EQ(upstream->last().target, "/anything?x=1");
  EXPECT_EQ(upstream->count(), 2u);
  EXPECT_EQ(upstream->connections_accepted(), 1u);

  upstream->clear();
  EXPECT_EQ(upstream->count(), 0u);
  EXPECT_EQ(upstream->connections_accepted(), 1u);
}

class TestUpstreamTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new TestCertificates(TestCertificates::generate(make_temp_dir("ferry-certs")));
  }
  static void TearDownTestSuite() { delete certs_; }
  static TestCertificates* certs_;
};
TestCertificates* TestUpstreamTls::certs_ = nullptr;

TEST_F(TestUpstreamTls, HandshakeVerifiesOnlyTheCaSignedCertificateForItsNames) {
  struct Case {
    const char* name;
    std::string cert, key, verify_host;
    bool ok;
  };
  const TestCertificates& c = *certs_;
  const std::vector<Case> cases = {
      {"server as localhost", c.server_cert, c.server_key, "localhost", true},
      {"server as 127.0.0.1", c.server_cert, c.server_key, "127.0.0.1", true},
      {"server as another name", c.server_cert, c.server_key, "example.invalid", false},
      {"untrusted", c.untrusted_cert, c.untrusted_key, "localhost", false},
      {"wrong name", c.wrong_name_cert, c.wrong_name_key, "localhost", false},
      {"wrong name as its name", c.wrong_name_cert, c.wrong_name_key, "example.invalid", true},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    auto upstream = TestUpstream::start({.tls = true, .cert_file = test.cert, .key_file = test.key});
    TlsReply reply = tls_get(upstream->port(), c.ca_file, test.verify_host, "/echo/tls");
    EXPECT_EQ(!reply.handshake_error, test.ok) << reply.handshake_error.message();
    if (!test.ok) continue;
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(json::parse(reply.body)["target"], "/echo/tls");
    EXPECT_EQ(upstream->last().target, "/echo/tls");
  }
}

TEST_F(TestUpstreamTls, BaseUrlNamesLocalhostOverHttps) {
  auto upstream = TestUpstream::start(
      {.tls = true, .cert_file = certs_->server_cert, .key_file = certs_->server_key});
  EXPECT_EQ(upstream->base_url(), "https://localhost:" + std::to_string(upstream->port()) + "/");
}

TEST_F(TestUpstreamTls, InterimExtraBytesAndDropNextRoutesWorkOverTls) {
  auto upstream = TestUpstream::start(
      {.tls = true, .cert_file = certs_->server_cert, .key_file = certs_->server_key});
  beast::error_code end;
  std::string received = tls_send_and_read_to_end(
      upstream->port(), certs_->ca_file,
      "GET /interim HTTP/1.1\r\nHost: localhost\r\n\r\n"
      "GET /extra-bytes HTTP/1.1\r\nHost: localhost\r\n\r\n"
      "GET /drop-next HTTP/1.1\r\nHost: localhost\r\n\r\n"
      "POST /echo/unanswered HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc",
      end);
  EXPECT_EQ(end, ssl::error::stream_truncated) << end.message();
  std::vector<Response> responses = parse_responses(received);
  ASSERT_EQ(responses.size(), 6u);
  EXPECT_EQ(responses[0].result_int(), 100u);
  EXPECT_EQ(responses[1].result_int(), 103u);
  EXPECT_EQ(responses[2].body(), R"({"interim":true})");
  EXPECT_EQ(responses[3].body(), R"({"extra":false})");
  EXPECT_EQ(responses[4].body(), R"({"smuggled":true})");
  EXPECT_EQ(responses[5].body(), R"({"drop_next":true})");
  EXPECT_EQ(upstream->count(), 4u);
  EXPECT_EQ(upstream->last().target, "/echo/unanswered");
  EXPECT_EQ(upstream->last().body, "abc");
}

TEST_F(TestUpstreamTls, CloseDelimitedBodyEndsWithTheTlsCloseNotify) {
  auto upstream = TestUpstream::start(
      {.tls = true, .cert_file = certs_->server_cert, .key_file = certs_->server_key});
  beast::error_code end;
  std::string received = tls_send_and_read_to_end(
      upstream->port(), certs_->ca_file,
      "GET /close-delimited/100000 HTTP/1.1\r\nHost: localhost\r\n\r\n", end);
  EXPECT_EQ(end, net::error::eof) << end.message();
  std::vector<Response> responses = parse_responses(received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].result_int(), 200u);
  EXPECT_EQ(responses[0].count(bhttp::field::content_length), 0u);
  EXPECT_EQ(responses[0].count(bhttp::field::transfer_encoding), 0u);
  EXPECT_EQ(responses[0].body(), pattern(100000));
}

TEST(TestUpstreamStart, FailsOnAMissingCertificate) {
  std::string dir = make_temp_dir("ferry-nocert");
  EXPECT_THROW(TestUpstream::start({.tls = true, .cert_file = dir + "/none.pem",
                                    .key_file = dir + "/none.key"}),
               std::runtime_error);
}

TEST(TestCertificates, ThrowsWithOpensslOutputWhenItFails) {
  std::string missing = make_temp_dir("ferry-certs") + "/missing";
  try {
    TestCertificates::generate(missing);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("certificate generation failed"), std::string::npos) << message;
    EXPECT_NE(message.find(missing + "/ca"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace ferry::testing
