#include "ferry/observe/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <atomic>
#include <memory>

#include "ferry/core/clock.h"
#include "ferry/core/private_file.h"
#include "ferry/observe/printable.h"
#include "ferry/observe/redact.h"

namespace ferry::observe {
namespace {

constexpr std::array<std::string_view, 7> kLevelNames = {"error", "warn",    "info", "http",
                                                         "verbose", "debug", "silly"};

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::atomic<bool> g_json{false};

// One JSON object: the time as the text format writes it, the level, the message.
std::string json_line(Level level, std::string_view message) {
  return nlohmann::json{{"time", format_iso8601(std::chrono::system_clock::now())},
                        {"level", level_name(level)},
                        {"message", message}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = std::make_shared<spdlog::logger>("ferry",
                                              std::make_shared<spdlog::sinks::stdout_sink_mt>());
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc);
    return l;
  }();
  return instance;
}

}  // namespace

Result<Level> parse_level(std::string_view name) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  }
  return Error{Errc::invalid_argument,
               fmt::format("unknown log level \"{}\" (expected one of: error, warn, info, http, "
                           "verbose, debug, silly)",
                           name)};
}

std::string_view level_name(Level level) { return kLevelNames[static_cast<std::size_t>(level)]; }

Status init_logging(const LogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.to_stdout) sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
  if (!options.file.empty()) {
    // Log lines are redacted, but may still quote what users sent: owner-only, like the
    // database.
    if (auto made = make_private_file(options.file); !made) {
      return Error{Errc::invalid_argument,
                   fmt::format("cannot open log file {}: {}", options.file, made.error().message)};
    }
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file));
    } catch (const spdlog::spdlog_ex& e) {
      return Error{Errc::invalid_argument,
                   fmt::format("cannot open log file {}: {}", options.file, e.what())};
    }
  }
  auto l = std::make_shared<spdlog::logger>("ferry", sinks.begin(), sinks.end());
  // Our own level filter decides; spdlog writes whatever reaches it.
  l->set_level(spdlog::level::trace);
  l->flush_on(spdlog::level::trace);
  // JSON lines carry their own time.
  if (options.format == LogFormat::json) {
    l->set_pattern("%v");
  } else {
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc);
  }
  std::atomic_store(&logger(), l);
  g_level.store(static_cast<int>(options.level));
  g_json.store(options.format == LogFormat::json);
  return ok();
}

bool enabled(Level level) { return static_cast<int>(level) <= g_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message) {
  auto l = std::atomic_load(&logger());
  if (g_json.load(std::memory_order_relaxed)) {
    l->log(spdlog::level::info, "{}", json_line(level, redact(message)));
    return;
  }
  const std::string line = printable(redact(message));
  l->log(spdlog::level::info, "{} {}", level_name(level), line);
}

}  // namespace ferry::observe
