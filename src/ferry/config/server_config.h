#pragma once

#include <filesystem>

#include "ferry/config/environment.h"
#include "ferry/config/model.h"
#include "ferry/config/problems.h"

namespace ferry::config {

// Reads `dir`/ferry.yaml (absent = defaults) into a ServerConfig, adding every problem to
// `problems`. REQUIRES: `dir` is an absolute path to an existing directory.
ServerConfig read_server_config(const std::filesystem::path& dir, const Environment& env,
                                Problems& problems);

// True when `text` is the base64 encoding of exactly 32 bytes (an AES-256 key).
bool is_base64_key32(std::string_view text);

// `bytes` random bytes from OpenSSL, hex-encoded; empty if the generator fails.
std::string random_hex(std::size_t bytes);

}  // namespace ferry::config
