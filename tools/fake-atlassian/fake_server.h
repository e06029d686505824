#pragma once

#include <memory>
#include <string>

#include "ferry/core/result.h"
#include "options.h"

namespace ferry::fake_atlassian {

// The whole fake running in-process on 127.0.0.1, on its own thread: what tests use instead
// of the binary. Created by start(); the destructor stops the server and joins the thread.
class FakeServer {
 public:
  // Listens on options.port (0 = any). Errc::unavailable when the port cannot be bound.
  static Result<std::unique_ptr<FakeServer>> start(Options options);
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  unsigned short port() const;
  // "http://127.0.0.1:PORT" (no trailing slash).
  std::string base_url() const;

  struct Impl;

 private:
  explicit FakeServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The first line the binary prints: "fake-atlassian listening on http://127.0.0.1:PORT".
std::string banner(unsigned short port);

}  // namespace ferry::fake_atlassian
