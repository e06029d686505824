#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace ferry::testing {

// A child process started by a test, with stdout and stderr captured to a file.
// Killed (SIGKILL) on destruction if still running.
class Process {
 public:
  // Starts `argv[0]` with `argv` and the current environment, where the "K=V" entries of `env`
// add or replace variables.
  Process(std::vector<std::string> argv, std::vector<std::string> env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // Everything the process has written so far (stdout and stderr interleaved).
  std::string output() const;
  // Polls output() until it contains `text` or `timeout` passes. True when found.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout) const;
  void signal(int signo) const;
  // Waits for exit up to `timeout`; the exit code, 128+signal, or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string output_path_;
  bool exited_ = false;
  int exit_code_ = -1;
};

// Runs a command to completion; returns {exit code, output}.
struct RunResult {
  int exit_code;
  std::string output;
};
RunResult run(std::vector<std::string> argv, std::vector<std::string> env = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A fresh empty directory under the test temp dir.
std::string make_temp_dir(const std::string& prefix);

}  // namespace ferry::testing
