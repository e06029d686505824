#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace ferry::observe {

// Every sink that shows text (log lines, activity-log entries, error bodies, /logs, metric
// labels) passes it through redact(), so a secret cannot be shown by mistake. Two defences:
//  1. values registered with register_secret() (the secret key, encryption key and
//     client secrets from the configuration; every credential of a connection snapshot
//     while it is held, store/connection_snapshot.h) are replaced wherever they appear;
//  2. well-known shapes are masked whatever their value (secret_shapes.h): the values of
//     secret-named JSON members, query/form parameters, headers and path segments
//     (secret_names.h), and `Bearer x` / `Basic x`.
// Linear time and memory in the input, no regex, no recursion: any text is safe to redact.
// Thread-safe.

inline constexpr std::string_view kRedacted = "[REDACTED]";

// Remembers `value` as a secret until unregister_secret(value). Values shorter than
// 4 characters are ignored: masking them would garble ordinary text.
void register_secret(std::string_view value);
void unregister_secret(std::string_view value);

// `text` with every secret replaced by [REDACTED].
std::string redact(std::string_view text);

// Redacts in place every string inside `value`; a string or number under a secret-named
// member (`"client_secret": ...`, `"X-Api-Key": ...`) becomes [REDACTED] whole.
void redact_json(nlohmann::json& value);

// "abcd…" style masking for showing a configured secret to its owner (`ferry check`):
// keeps nothing of values under 12 characters, else the first 2 characters.
std::string mask(std::string_view secret);

}  // namespace ferry::observe
