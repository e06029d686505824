#include "test_upstream.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

namespace ferry::testing {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Seen = TestUpstream::Seen;
using Request = bhttp::request<bhttp::buffer_body>;
using Response = bhttp::response<bhttp::string_body>;

constexpr std::size_t kChunkSize = 64 * 1024;
constexpr std::size_t kBodyKept = 64 * 1024;
constexpr std::size_t kHeaderLimit = 64 * 1024;
constexpr std::uint64_t kPatternModulus = 251;
constexpr std::uint64_t kHeadCheckSize = 1234;
constexpr std::uint64_t kMaxSleepMs = 10 * 60 * 1000;
constexpr int kThreads = 2;
constexpr auto kIoTimeout = std::chrono::seconds(60);
constexpr auto kCloseTimeout = std::chrono::seconds(2);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(10);
// The informational heads /interim sends before its answer (RFC 9110 §15.2, RFC 8297).
constexpr std::string_view kInterimHeads =
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
constexpr std::string_view kSmuggledBody = "{\"smuggled\":true}";

// Incremental SHA-256 through OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("SHA-256 is unavailable");
  }
  void update(const void* data, std::size_t size) { EVP_DigestUpdate(ctx_.get(), data, size); }
  // The lower-case hex digest; call once.
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &size);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0xf];
    }
    return out;
  }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

// kChunkSize + 251 bytes of the pattern: the piece of the stream at offset o starts at o % 251.
// Written once, then only read.
char* pattern_block() {
  static std::vector<char> block = [] {
    std::vector<char> bytes(kChunkSize + kPatternModulus);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i % kPatternModulus);
    return bytes;
  }();
  return block.data();
}

// Up to kChunkSize pattern bytes starting at stream offset `offset`.
std::span<char> pattern_piece(std::uint64_t offset, std::uint64_t remaining) {
  auto size = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkSize, remaining));
  return {pattern_block() + offset % kPatternModulus, size};
}

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when it is ill-formed.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  unsigned char low = 0x80, high = 0xBF;  // range of the second byte
  if (lead < 0xC2 || lead > 0xF4) return 0;
  if (lead == 0xE0) low = 0xA0;
  if (lead == 0xED) high = 0x9F;
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;
  if (i + length > s.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return length;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t length = utf8_sequence_length(s, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// Appends `s` as a JSON string; ill-formed UTF-8 bytes become U+FFFD.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t length = utf8_sequence_length(s, i);
    if (length == 0) {
      out += "\\ufffd";
      i += 1;
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out.append(s.substr(i, length));
    }
    i += length;
  }
  out += '"';
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A decimal number of up to 18 digits, or nullopt.
std::optional<std::uint64_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

bool has_query_param(std::string_view query, std::string_view param) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    if (query.substr(0, amp) == param) return true;
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return false;
}

std::string echo_json(const Seen& seen) {
  std::map<std::string, std::string> joined;
  for (const auto& [name, value] : seen.headers) {
    auto [it, fresh] = joined.emplace(name, value);
    if (!fresh) it->second += ", " + value;
  }
  std::string out = "{\"method\":";
  append_json_string(out, seen.method);
  out += ",\"target\":";
  append_json_string(out, seen.target);
  out += ",\"headers\":{";
  for (const auto& [name, value] : joined) {
    if (out.back() != '{') out += ',';
    append_json_string(out, name);
    out += ':';
    append_json_string(out, value);
  }
  out += "},\"body_size\":" + std::to_string(seen.body_size) + ",\"body_sha256\":";
  append_json_string(out, seen.body_sha256_hex);
  out += ",\"body\":";
  if (seen.body_size < kBodyKept && is_valid_utf8(seen.body))
    append_json_string(out, seen.body);
  else
    out += "null";
  return out + "}";
}

Response make_response(bhttp::status status, std::string content_type, std::string body) {
  Response res{status, 11};
  res.set(bhttp::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

Response json_response(bhttp::status status, std::string body) {
  return make_response(status, "application/json", std::move(body));
}

// The requests seen, and the connections accepted and still open. Thread safety: the requests
// are guarded by a mutex, the counts are atomic.
class Recorder {
 public:
  void record(Seen seen) {
    std::lock_guard lock(mutex_);
    seen_.push_back(std::move(seen));
  }
  std::vector<Seen> all() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  Seen last() const {
    std::lock_guard lock(mutex_);
    if (seen_.empty()) throw std::runtime_error("the test upstream has seen no request");
    return seen_.back();
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return seen_.size();
  }
  void clear() {
    std::lock_guard lock(mutex_);
    seen_.clear();
  }
  void connection_accepted() {
    ++accepted_;
    ++open_;
  }
  void connection_ended() { --open_; }
  std::size_t accepted() const { return accepted_; }
  std::size_t open() const { return open_; }

 private:
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;  // guarded by mutex_
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> open_{0};
};

// One accepted connection, counted as open from construction until the last owner is
// destroyed. A session coroutine takes it by value, so the count drops when the session's frame
// goes, after its socket has closed, even if the session never ran. Move-only.
class OpenConnection {
 public:
  explicit OpenConnection(Recorder& recorder) : recorder_(&recorder) {
    recorder.connection_accepted();
  }
  OpenConnection(OpenConnection&& other) noexcept
      : recorder_(std::exchange(other.recorder_, nullptr)) {}
  OpenConnection& operator=(OpenConnection&&) = delete;
  ~OpenConnection() {
    if (recorder_) recorder_->connection_ended();
  }

 private:
  Recorder* recorder_;  // null once moved from
};

// What happens to a connection once a route has answered.
enum class After {
  kKeepAlive,
  kClose,                 // graceful: TCP shutdown of the send side, or TLS close_notify
  kDrop,                  // the socket just closes: no more bytes, no TLS close_notify
  kDropAfterNextRequest,  // read and record the next request, then kDrop
  kCloseWhenIdle,         // keep alive, but close if the next request does not start soon
};

// How long a connection answered by /close-when-idle/MS waits for its next request.
constexpr auto kIdleCloseAfter = std::chrono::milliseconds(100);

template <class Stream>
void arm_timeout(Stream& stream, std::chrono::steady_clock::duration timeout) {
  beast::get_lowest_layer(stream).expires_after(timeout);
}

// Reads one request, hashing its body as it streams in and keeping its first kBodyKept bytes.
// Throws on I/O errors, including the peer closing between requests.
template <class Stream>
net::awaitable<void> read_request(Stream& stream, beast::flat_buffer& buffer,
                                  bhttp::request_parser<bhttp::buffer_body>& parser, Seen& seen,
                                  std::vector<char>& chunk,
                                  std::chrono::steady_clock::duration header_timeout = kIoTimeout) {
  parser.header_limit(kHeaderLimit);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  arm_timeout(stream, header_timeout);
  co_await bhttp::async_read_header(stream, buffer, parser, net::use_awaitable);
  auto& req = parser.get();
  if (req.version() >= 11 && beast::iequals(req[bhttp::field::expect], "100-continue")) {
    bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, req.version()};
    co_await bhttp::async_write(stream, go_on, net::use_awaitable);
  }
  seen.method = std::string(req.method_string());
  seen.target = std::string(req.target());
  for (const auto& field : req) seen.headers.emplace(to_lower(field.name_string()), field.value());

  Sha256 sha;
  while (!parser.is_done()) {
    req.body().data = chunk.data();
    req.body().size = chunk.size();
    beast::error_code ec;
    arm_timeout(stream, kIoTimeout);
    co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec && ec != bhttp::error::need_buffer) throw beast::system_error(ec);
    std::size_t got = chunk.size() - req.body().size;
    sha.update(chunk.data(), got);
    seen.body_size += got;
    seen.body.append(chunk.data(), std::min(got, kBodyKept - seen.body.size()));
  }
  seen.body_sha256_hex = sha.hex();
}

// Gives `res` the request's version and keep-alive, and frames its body.
void prepare_for(const Request& req, Response& res) {
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  if (res.result() == bhttp::status::no_content || res.result() == bhttp::status::not_modified)
    res.erase(bhttp::field::content_length);  // these never carry a body or its length
}

// The status line and fields of `header` as they go on the wire, ending with the empty line.
template <class Fields>
std::string header_text(const bhttp::header<false, Fields>& header) {
  std::ostringstream text;
  text << header;
  return text.str();
}

// Writes `res` (only its header for HEAD) with the request's version and keep-alive.
template <class Stream>
net::awaitable<After> send(Stream& stream, const Request& req, Response res) {
  prepare_for(req, res);
  bhttp::response_serializer<bhttp::string_body> serializer{res};
  arm_timeout(stream, kIoTimeout);
  if (req.method() == bhttp::verb::head)
    co_await bhttp::async_write_header(stream, serializer, net::use_awaitable);
  else
    co_await bhttp::async_write(stream, serializer, net::use_awaitable);
  co_return res.keep_alive() ? After::kKeepAlive : After::kClose;
}

// Streams `size` pattern bytes, kChunkSize at a time, as a Content-Length or chunked body.
template <class Stream>
net::awaitable<After> send_pattern(Stream& stream, const Request& req,
                                   std::uint64_t size, bool chunked) {
  bhttp::response<bhttp::buffer_body> res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "application/octet-stream");
  res.keep_alive(req.keep_alive());
  if (chunked)
    res.chunked(true);
  else
    res.content_length(size);
  res.body().data = nullptr;
  res.body().more = true;
  bhttp::response_serializer<bhttp::buffer_body> serializer{res};
  arm_timeout(stream, kIoTimeout);
  co_await bhttp::async_write_header(stream, serializer, net::use_awaitable);
  if (req.method() == bhttp::verb::head) co_return res.keep_alive() ? After::kKeepAlive : After::kClose;

  for (std::uint64_t offset = 0; offset < size;) {
    std::span<char> piece = pattern_piece(offset, size - offset);
    offset += piece.size();
    res.body().data = piece.data();
    res.body().size = piece.size();
    beast::error_code ec;
    arm_timeout(stream, kIoTimeout);
    co_await bhttp::async_write(stream, serializer, net::redirect_error(net::use_awaitable, ec));
    if (ec && ec != bhttp::error::need_buffer) throw beast::system_error(ec);
  }
  res.body().data = nullptr;
  res.body().size = 0;
  res.body().more = false;
  co_await bhttp::async_write(stream, serializer, net::use_awaitable);
  co_return res.keep_alive() ? After::kKeepAlive : After::kClose;
}

// Writes the kInterimHeads, then answers with `res` like send(). HTTP/1.0 clients get no interim
// heads: RFC 9110 §15.2 forbids sending them 1xx.
template <class Stream>
net::awaitable<After> send_after_interim_heads(Stream& stream, const Request& req, Response res) {
  if (req.version() >= 11) {
    arm_timeout(stream, kIoTimeout);
    co_await net::async_write(stream, net::buffer(kInterimHeads), net::use_awaitable);
  }
  co_return co_await send(stream, req, std::move(res));
}

// Writes a 200 header with neither Content-Length nor Transfer-Encoding, then `size` pattern
// bytes, and has the connection closed: the body ends where the connection does (RFC 9112 §6.3
// item 8). The header is written raw because Beast's serializer would frame the body.
template <class Stream>
net::awaitable<After> send_close_delimited(Stream& stream, const Request& req, std::uint64_t size) {
  bhttp::response<bhttp::empty_body> res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "application/octet-stream");
  res.keep_alive(false);
  arm_timeout(stream, kIoTimeout);
  co_await net::async_write(stream, net::buffer(header_text(res.base())), net::use_awaitable);
  if (req.method() == bhttp::verb::head) co_return After::kClose;
  for (std::uint64_t offset = 0; offset < size;) {
    std::span<char> piece = pattern_piece(offset, size - offset);
    offset += piece.size();
    arm_timeout(stream, kIoTimeout);
    co_await net::async_write(stream, net::buffer(piece.data(), piece.size()), net::use_awaitable);
  }
  co_return After::kClose;
}

// Answers with `res` like send(), and appends in the same write a complete second response that
// nobody asked for, as a desynchronised or malicious upstream would.
template <class Stream>
net::awaitable<After> send_with_smuggled_response(Stream& stream, const Request& req,
                                                  Response res) {
  prepare_for(req, res);
  std::string wire = header_text(res.base());
  if (req.method() != bhttp::verb::head) wire += res.body();
  wire += "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
          std::to_string(kSmuggledBody.size()) + "\r\n\r\n";
  wire += kSmuggledBody;
  arm_timeout(stream, kIoTimeout);
  co_await net::async_write(stream, net::buffer(wire), net::use_awaitable);
  co_return res.keep_alive() ? After::kKeepAlive : After::kClose;
}

// The /status/N reply, with the headers a proxy must pass, drop or repeat.
Response status_response(unsigned status) {
  auto code = static_cast<bhttp::status>(status);
  bool bodyless = status == 204 || status == 304;
  Response res = json_response(code, bodyless ? "" : "{\"status\":" + std::to_string(status) + "}");
  res.set("X-Upstream", "yes");
  res.set(bhttp::field::connection, "X-Hop-Secret");
  res.set("X-Hop-Secret", "should-not-pass");
  res.set(bhttp::field::keep_alive, "timeout=5");
  res.insert(bhttp::field::set_cookie, "a=1");
  res.insert(bhttp::field::set_cookie, "a=1");
  return res;
}

Response bad_request(const char* what) {
  return json_response(bhttp::status::bad_request,
                       std::string("{\"error\":\"") + what + "\"}");
}

// Chooses the route by path prefix and answers.
template <class Stream>
net::awaitable<After> answer(Stream& stream, const Request& req, const Seen& seen) {
  std::string_view target = req.target();
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);
  auto rest = [&](std::string_view prefix) { return parse_number(path.substr(prefix.size())); };

  if (path.starts_with("/echo"))
    co_return co_await send(stream, req, json_response(bhttp::status::ok, echo_json(seen)));
  if (path.starts_with("/bytes/")) {
    auto size = rest("/bytes/");
    if (!size) co_return co_await send(stream, req, bad_request("bad byte count"));
    co_return co_await send_pattern(stream, req, *size, has_query_param(query, "chunked=1"));
  }
  if (path.starts_with("/status/")) {
    auto status = rest("/status/");
    if (!status || *status < 200 || *status > 599)
      co_return co_await send(stream, req, bad_request("bad status"));
    co_return co_await send(stream, req, status_response(static_cast<unsigned>(*status)));
  }
  if (path.starts_with("/slow/")) {
    auto ms = rest("/slow/");
    if (!ms || *ms > kMaxSleepMs) co_return co_await send(stream, req, bad_request("bad delay"));
    net::steady_timer timer(co_await net::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(*ms));
    co_await timer.async_wait(net::use_awaitable);
    std::string body = "{\"slept\":" + std::to_string(*ms) + "}";
    co_return co_await send(stream, req, json_response(bhttp::status::ok, body));
  }
  if (path.starts_with("/close-delimited/")) {
    auto size = rest("/close-delimited/");
    if (!size) co_return co_await send(stream, req, bad_request("bad byte count"));
    co_return co_await send_close_delimited(stream, req, *size);
  }
  if (path.starts_with("/close-when-idle")) {
    After after =
        co_await send(stream, req, json_response(bhttp::status::ok, "{\"close_when_idle\":true}"));
    co_return after == After::kKeepAlive ? After::kCloseWhenIdle : after;
  }
  if (path.starts_with("/close")) co_return After::kDrop;
  if (path.starts_with("/interim"))
    co_return co_await send_after_interim_heads(
        stream, req, json_response(bhttp::status::ok, "{\"interim\":true}"));
  if (path.starts_with("/extra-bytes"))
    co_return co_await send_with_smuggled_response(
        stream, req, json_response(bhttp::status::ok, "{\"extra\":false}"));
  if (path.starts_with("/drop-next")) {
    After after =
        co_await send(stream, req, json_response(bhttp::status::ok, "{\"drop_next\":true}"));
    co_return after == After::kKeepAlive ? After::kDropAfterNextRequest : after;
  }
  if (path.starts_with("/head-check")) {
    std::span<char> pattern = pattern_piece(0, kHeadCheckSize);
    std::string body(pattern.begin(), pattern.end());
    co_return co_await send(stream, req,
                            make_response(bhttp::status::ok, "application/octet-stream", body));
  }
  co_return co_await send(stream, req,
                          json_response(bhttp::status::not_found, "{\"error\":\"not found\"}"));
}

net::awaitable<void> close_gracefully(PlainStream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  co_return;
}

net::awaitable<void> close_gracefully(TlsStream& stream) {
  arm_timeout(stream, kCloseTimeout);
  beast::error_code ec;
  co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
}

// Serves requests on one connection until either side ends it. Throws on I/O errors.
template <class Stream>
net::awaitable<void> serve_requests(Stream& stream, Recorder& recorder) {
  beast::flat_buffer buffer;
  buffer.reserve(kChunkSize);  // Beast reads at most the spare capacity: keep reads large
  std::vector<char> chunk(kChunkSize);
  After after = After::kKeepAlive;
  while (after == After::kKeepAlive || after == After::kDropAfterNextRequest ||
         after == After::kCloseWhenIdle) {
    bhttp::request_parser<bhttp::buffer_body> parser;
    Seen seen;
    // An idle connection past its limit times out here: the stream closes the socket, which
    // the client sees as the server's FIN.
    co_await read_request(stream, buffer, parser, seen, chunk,
                          after == After::kCloseWhenIdle ? kIdleCloseAfter : kIoTimeout);
    recorder.record(seen);
    if (after == After::kDropAfterNextRequest) co_return;  // unanswered, like kDrop
    after = co_await answer(stream, parser.get(), seen);
  }
  if (after == After::kClose) co_await close_gracefully(stream);
  // kDrop: the socket closes when the stream goes away, without a reply or a TLS close_notify.
}

// `open` keeps the connection counted while the session lives.
net::awaitable<void> plain_session(tcp::socket socket, Recorder& recorder,
                                   [[maybe_unused]] OpenConnection open) {
  PlainStream stream(std::move(socket));
  try {
    co_await serve_requests(stream, recorder);
  } catch (const std::exception&) {
    // The peer went away or broke the protocol: the connection just ends.
  }
}

net::awaitable<void> tls_session(tcp::socket socket, ssl::context& tls, Recorder& recorder,
                                 [[maybe_unused]] OpenConnection open) {
  TlsStream stream(std::move(socket), tls);
  try {
    arm_timeout(stream, kIoTimeout);
    co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
    co_await serve_requests(stream, recorder);
  } catch (const std::exception&) {
    // A failed handshake or a broken connection: it just ends.
  }
}

// Accepts until the acceptor closes; each connection gets its own strand and coroutine.
net::awaitable<void> accept_loop(tcp::acceptor& acceptor, ssl::context* tls, Recorder& recorder) {
  for (;;) {
    tcp::socket socket(net::make_strand(acceptor.get_executor()));
    beast::error_code ec;
    co_await acceptor.async_accept(socket, net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {  // e.g. out of file descriptors: wait a little rather than spin
      net::steady_timer pause(acceptor.get_executor(), kAcceptRetryDelay);
      co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;
    }
    OpenConnection open(recorder);
    auto executor = socket.get_executor();
    if (tls)
      net::co_spawn(executor, tls_session(std::move(socket), *tls, recorder, std::move(open)),
                    net::detached);
    else
      net::co_spawn(executor, plain_session(std::move(socket), recorder, std::move(open)),
                    net::detached);
  }
}

ssl::context make_tls_context(const TestUpstream::Options& options) {
  ssl::context tls(ssl::context::tls_server);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  try {
    tls.use_certificate_chain_file(options.cert_file);
    tls.use_private_key_file(options.key_file, ssl::context::pem);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot load TLS certificate " + options.cert_file + " or key " +
                             options.key_file + ": " + e.what());
  }
  return tls;
}

}  // namespace

// Members are destroyed bottom-up: the threads are joined first (in ~Impl), the io_context
// then destroys the remaining sessions, and the recorder they point to outlives them.
struct TestUpstream::Impl {
  Recorder recorder;
  net::io_context ioc{kThreads};
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  unsigned short port = 0;

  ~Impl() {
    ioc.stop();
    for (auto& thread : threads) thread.join();
  }
};

std::unique_ptr<TestUpstream> TestUpstream::start() { return start(Options{}); }

std::unique_ptr<TestUpstream> TestUpstream::start(Options options) {
  auto impl = std::make_unique<Impl>();
  if (options.tls) impl->tls.emplace(make_tls_context(options));
  tcp::endpoint endpoint(net::ip::make_address_v4("127.0.0.1"), 0);
  impl->acceptor.open(endpoint.protocol());
  impl->acceptor.bind(endpoint);
  impl->acceptor.listen(net::socket_base::max_listen_connections);
  impl->port = impl->acceptor.local_endpoint().port();
  ssl::context* tls = impl->tls ? &*impl->tls : nullptr;
  net::co_spawn(impl->ioc, accept_loop(impl->acceptor, tls, impl->recorder), net::detached);
  for (int i = 0; i < kThreads; ++i) impl->threads.emplace_back([&ioc = impl->ioc] { ioc.run(); });
  return std::unique_ptr<TestUpstream>(new TestUpstream(std::move(impl)));
}

TestUpstream::TestUpstream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TestUpstream::~TestUpstream() = default;

unsigned short TestUpstream::port() const { return impl_->port; }

std::string TestUpstream::base_url() const {
  std::string host = impl_->tls ? "https://localhost:" : "http://127.0.0.1:";
  return host + std::to_string(impl_->port) + "/";
}

std::vector<Seen> TestUpstream::requests() const { return impl_->recorder.all(); }
Seen TestUpstream::last() const { return impl_->recorder.last(); }
std::size_t TestUpstream::count() const { return impl_->recorder.count(); }
void TestUpstream::clear() { impl_->recorder.clear(); }
std::size_t TestUpstream::connections_accepted() const { return impl_->recorder.accepted(); }
std::size_t TestUpstream::open_connections() const { return impl_->recorder.open(); }

std::string TestUpstream::pattern_sha256(std::uint64_t n) {
  Sha256 sha;
  for (std::uint64_t offset = 0; offset < n;) {
    std::span<char> piece = pattern_piece(offset, n - offset);
    sha.update(piece.data(), piece.size());
    offset += piece.size();
  }
  return sha.hex();
}

}  // namespace ferry::testing
