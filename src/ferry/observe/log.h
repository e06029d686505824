#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "ferry/core/result.h"

namespace ferry::observe {

// Severity, most to least severe, with the names of `main_server_log_level`.
enum class Level { error, warn, info, http, verbose, debug, silly };

// "info" -> Level::info; anything else is Errc::invalid_argument naming the choices.
Result<Level> parse_level(std::string_view name);
std::string_view level_name(Level level);

// How a line is written: text "<ISO-8601 UTC> <level> <message>", or one JSON object
// {"time", "level", "message"} per line for log shippers.
enum class LogFormat { text, json };

struct LogOptions {
  Level level = Level::info;
  std::string file;        // appended to; empty = stdout only
  bool to_stdout = true;
  LogFormat format = LogFormat::text;
};

// Sets up the process-wide logger: one line per event, in options.format.
// Call once at start before other threads log; safe to call again (tests, `serve` reload).
// Errc::invalid_argument when the log file cannot be opened.
Status init_logging(const LogOptions& options);

// True when a message at `level` would be written. Thread-safe.
bool enabled(Level level);

// Writes `message` after redaction (observe/redact.h), control bytes escaped
// (observe/printable.h) in text, JSON-escaped (invalid UTF-8 replaced) in JSON, so one
// message is always one line. Thread-safe.
void write(Level level, std::string_view message);

template <class... Args>
void log(Level level, fmt::format_string<Args...> format, Args&&... args) {
  if (enabled(level)) write(level, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... a) { log(Level::error, f, std::forward<Args>(a)...); }
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... a) { log(Level::warn, f, std::forward<Args>(a)...); }
template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... a) { log(Level::info, f, std::forward<Args>(a)...); }
template <class... Args>
void http(fmt::format_string<Args...> f, Args&&... a) { log(Level::http, f, std::forward<Args>(a)...); }
template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... a) { log(Level::debug, f, std::forward<Args>(a)...); }

}  // namespace ferry::observe
