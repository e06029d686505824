#include "ferry/config/environment.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "ferry/config/problems.h"
#include "ferry/core/strings.h"

extern char** environ;  // POSIX: the process environment.

namespace ferry::config {
namespace {

bool is_name_start(char c) { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

struct ParsedLine {
  std::string key;
  std::string value;
};

// Where a problem is on the current line: a 1-based column and what was wrong.
struct LineError {
  std::size_t column;
  std::string what;
};

// `rest` follows a closing quote: only blanks or a comment may come after it.
bool only_comment_left(std::string_view rest) {
  rest = trim(rest);
  return rest.empty() || rest.front() == '#';
}

// Parses the value after `=`; `offset` is its 0-based column, for messages. nullopt (and
// `err` set) when a quoted value is unterminated or followed by more than a comment.
std::optional<std::string> parse_value(std::string_view raw, std::size_t offset,
                                       LineError& err) {
  std::size_t lead = raw.find_first_not_of(" \t");
  if (lead == std::string_view::npos) return std::string();
  std::string_view v = raw.substr(lead);
  offset += lead;
  char quote = v.front();
  if (quote == '\'' || quote == '"') {
    std::string out;
    for (std::size_t i = 1; i < v.size(); ++i) {
      char c = v[i];
      if (c == quote) {
        if (!only_comment_left(v.substr(i + 1))) break;
        return out;
      }
      // Single quotes are literal; double quotes know a few escapes.
      if (quote == '"' && c == '\\' && i + 1 < v.size()) {
        char n = v[++i];
        out += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
        continue;
      }
      out += c;
    }
    err = {offset + 1, "unterminated quoted value, or text after its closing quote"};
    return std::nullopt;
  }
  // A bare value ends where a comment introduced by whitespace starts.
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] == '#' && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
      v = v.substr(0, i);
      break;
    }
  }
  return std::string(trim(v));
}

// One non-blank, non-comment line; nullopt (and `err` set) when malformed.
std::optional<ParsedLine> parse_line(std::string_view line, LineError& err) {
  std::size_t start = line.find_first_not_of(" \t");
  std::string_view rest = line.substr(start);
  if (rest.substr(0, 7) == "export " || rest.substr(0, 7) == "export\t") {
    std::size_t skip = rest.find_first_not_of(" \t", 7);
    start += skip == std::string_view::npos ? rest.size() : skip;
    rest = line.substr(start);
  }
  std::size_t eq = rest.find('=');
  std::string_view key = eq == std::string_view::npos ? rest : trim(rest.substr(0, eq));
  bool valid_key = !key.empty() && is_name_start(key.front());
  for (char c : key) valid_key = valid_key && is_name_char(c);
  if (eq == std::string_view::npos || !valid_key) {
    err = {start + 1, "expected KEY=VALUE with KEY made of letters, digits and _"};
    return std::nullopt;
  }
  auto value = parse_value(rest.substr(eq + 1), start + eq + 1, err);
  if (!value) return std::nullopt;
  return ParsedLine{std::string(key), std::move(*value)};
}

}  // namespace

Result<std::map<std::string, std::string>> parse_dotenv(std::string_view text,
                                                        std::string_view file) {
  std::map<std::string, std::string> out;
  Problems problems;
  std::vector<std::string> lines = split(text, '\n');
  for (std::size_t n = 0; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    LineError err{1, ""};
    std::optional<ParsedLine> parsed = parse_line(line, err);
    if (!parsed) {
      problems.add({std::string(file), static_cast<int>(n + 1), static_cast<int>(err.column)}, "",
                   err.what);
      continue;
    }
    out[parsed->key] = std::move(parsed->value);
  }
  if (!problems.empty()) return problems.to_error();
  return out;
}

Result<Environment> Environment::from_process_and_dotenv(const std::filesystem::path& dir) {
  std::map<std::string, std::string, std::less<>> variables;
  std::filesystem::path dotenv = std::filesystem::absolute(dir) / ".env";
  std::error_code ec;
  if (std::filesystem::exists(dotenv, ec)) {
    std::ifstream in(dotenv, std::ios::binary);
    if (!in) {
      return Error{Errc::config_invalid,
                   dotenv.string() + ": cannot read: " + std::strerror(errno)};
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parse_dotenv(text.str(), dotenv.string());
    if (!parsed) return parsed.error();
    for (auto& [k, v] : *parsed) variables[k] = std::move(v);
  }
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    variables[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
  }
  return Environment(std::move(variables));
}

Environment Environment::from_map(std::map<std::string, std::string> variables) {
  return Environment(std::map<std::string, std::string, std::less<>>(variables.begin(),
                                                                     variables.end()));
}

const std::string* Environment::find(std::string_view name) const {
  auto it = variables_.find(name);
  return it == variables_.end() ? nullptr : &it->second;
}

}  // namespace ferry::config
