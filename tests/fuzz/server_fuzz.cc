// Fuzzes the server's request handling end to end: the raw bytes of one or more HTTP/1.1
// requests go to the real listener, session, router and REST handlers (every route of
// `ferry serve`; see in_process_server.h), over a fresh loopback connection per input.
// Seeds carry the server's fixed secret and public keys, so authenticated routes are
// reached too.
//
// Input: bytes written as is, then a half-close (so the server sees the end of the input
// and finishes); the answer is read until the server closes or 3 s pass.
// Oracle: no crash or sanitizer report in the server (which runs in this process), and
// whatever comes back starts as an HTTP/1.x response.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "in_process_server.h"

namespace {

constexpr std::size_t kMaxAnswerBytes = 1 << 20;

int connect_to_server(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  FERRY_FUZZ_CHECK(fd >= 0, "cannot create a socket");
  const timeval timeout{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  FERRY_FUZZ_CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0,
                   "the server does not accept connections any more");
  return fd;
}

}  // namespace

// The activity writer's boost::lockfree queue links its nodes through tagged pointers,
// which LeakSanitizer cannot follow; the queue lives until exit, so its nodes look leaked.
extern "C" const char* __lsan_default_suppressions() { return "leak:boost::lockfree\n"; }

// Starts the server before the first input, so its set-up is not counted as that input's.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)ferry::fuzz::in_process_server_port();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = connect_to_server(ferry::fuzz::in_process_server_port());
  // The server may answer and close before reading everything: a failed send is fine.
  for (std::size_t sent = 0; sent < size;) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);

  std::string answer;
  char buffer[16384];
  while (answer.size() < kMaxAnswerBytes) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;  // closed, reset, or the timeout
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!answer.empty()) {
    FERRY_FUZZ_CHECK(answer.starts_with("HTTP/1."), "the answer is not an HTTP/1.x response");
  }
  return 0;
}
