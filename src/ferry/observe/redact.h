#pragma once

#include <string>
#include <string_view>

namespace ferry::observe {

// Every log line and activity-log entry passes through redact(), so a secret cannot be
// printed by mistake. Two defences:
//  1. values registered with register_secret() (client secrets, API keys, tokens held in
//     the connection cache) are replaced wherever they appear;
//  2. well-known shapes are masked whatever their value: `Authorization: <scheme> x`,
//     `Bearer x`, and the values of token-like keys in JSON bodies, query strings and
//     form bodies (access_token, refresh_token, client_secret, password, api_key, code, ...).
// Thread-safe.

inline constexpr std::string_view kRedacted = "[REDACTED]";

// Remembers `value` as a secret until unregister_secret(value). Values shorter than
// 4 characters are ignored: masking them would garble ordinary text.
void register_secret(std::string_view value);
void unregister_secret(std::string_view value);

// `text` with every secret replaced by [REDACTED].
std::string redact(std::string_view text);

// "abcd…" style masking for showing a configured secret to its owner (`ferry check`):
// keeps nothing of values under 12 characters, else the first 2 characters.
std::string mask(std::string_view secret);

}  // namespace ferry::observe
