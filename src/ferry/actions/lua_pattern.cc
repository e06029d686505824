#include "ferry/actions/lua_pattern.h"

#include <lua.hpp>

#include <cctype>
#include <cstdlib>
#include <cstring>

// Every function here may raise a Lua error (longjmp): locals stay trivially destructible.

namespace ferry::actions {
namespace {

[[noreturn]] void raise(lua_State* L, const char* message) {
  luaL_error(L, "%s", message);
  std::abort();  // luaL_error does not return
}

}  // namespace

bool matches_class(unsigned char c, unsigned char cl) {
  bool result = false;
  switch (std::tolower(cl)) {
    case 'a': result = std::isalpha(c) != 0; break;
    case 'c': result = std::iscntrl(c) != 0; break;
    case 'd': result = std::isdigit(c) != 0; break;
    case 'g': result = std::isgraph(c) != 0; break;
    case 'l': result = std::islower(c) != 0; break;
    case 'p': result = std::ispunct(c) != 0; break;
    case 's': result = std::isspace(c) != 0; break;
    case 'u': result = std::isupper(c) != 0; break;
    case 'w': result = std::isalnum(c) != 0; break;
    case 'x': result = std::isxdigit(c) != 0; break;
    case 'z': result = c == 0; break;  // deprecated in Lua 5.2, still accepted by 5.4
    default: return cl == c;  // an escaped non-letter (or unknown letter) is itself
  }
  return std::isupper(cl) ? !result : result;
}

PatternMatcher::PatternMatcher(lua_State* L, const char* subject, std::size_t subject_size,
                               const char* pattern, std::size_t pattern_size,
                               const PatternLimits* limits)
    : L_(L),
      src_begin_(subject),
      src_end_(subject + subject_size),
      pat_begin_(pattern),
      pat_end_(pattern + pattern_size),
      limits_(limits) {}

void PatternMatcher::spend(std::size_t amount) {
  if (amount < steps_left_) {
    steps_left_ -= amount;
    return;
  }
  steps_left_ = kPatternStepsPerCheck;
  if (limits_ == nullptr || limits_->stop == nullptr) return;
  if (const char* reason = limits_->stop(L_)) raise(L_, reason);
}

const char* PatternMatcher::match_at(const char* s) {
  level_ = 0;
  depth_left_ = kMaxPatternDepth;
  return match(s, pat_begin_);
}

// The end of the single-character class starting at `p` (before any quantifier).
const char* PatternMatcher::class_end(const char* p) {
  const char first = *p++;
  if (first == '%') {
    if (p == pat_end_) raise(L_, "malformed pattern (ends with '%')");
    return p + 1;
  }
  if (first == '[') {
    if (pattern_at(p) == '^') ++p;
    // The first character is always a member, so "[]]" is the set of ']'.
    do {
      if (p == pat_end_) raise(L_, "malformed pattern (missing ']')");
      const char member = *p++;
      if (member == '%' && p < pat_end_) ++p;  // an escape: "%]" is a member too
    } while (pattern_at(p) != ']');
    return p + 1;
  }
  return p;
}

// `p` is the '[' of a set and `ec` its closing ']'.
bool PatternMatcher::in_set(unsigned char c, const char* p, const char* ec) const {
  bool wanted = true;
  if (p[1] == '^') {
    wanted = false;
    ++p;
  }
  while (++p < ec) {
    if (*p == '%') {
      ++p;
      if (matches_class(c, static_cast<unsigned char>(*p))) return wanted;
    } else if (p[1] == '-' && p + 2 < ec) {
      p += 2;
      if (static_cast<unsigned char>(p[-2]) <= c && c <= static_cast<unsigned char>(*p)) {
        return wanted;
      }
    } else if (static_cast<unsigned char>(*p) == c) {
      return wanted;
    }
  }
  return !wanted;
}

bool PatternMatcher::single_match(const char* s, const char* p, const char* ep) {
  if (s >= src_end_) return false;
  const auto c = static_cast<unsigned char>(*s);
  switch (*p) {
    case '.': return true;
    case '%': return matches_class(c, static_cast<unsigned char>(p[1]));
    case '[': return in_set(c, p, ep - 1);
    default: return static_cast<unsigned char>(*p) == c;
  }
}

const char* PatternMatcher::match_balance(const char* s, const char* p) {
  if (p + 1 >= pat_end_) raise(L_, "malformed pattern (missing arguments to '%b')");
  if (s >= src_end_ || *s != p[0]) return nullptr;
  const char open = p[0];
  const char close = p[1];
  std::size_t depth = 1;
  while (++s < src_end_) {
    spend(1);
    if (*s == close) {
      if (--depth == 0) return s + 1;
    } else if (*s == open) {
      ++depth;
    }
  }
  return nullptr;  // the subject ends unbalanced
}

const char* PatternMatcher::match_back_reference(const char* s, char digit) {
  const int index = digit - '1';
  if (index < 0 || index >= level_ || captures_[index].length == kUnfinished) {
    luaL_error(L_, "invalid capture index %%%d", index + 1);
  }
  const std::ptrdiff_t length = captures_[index].length;
  if (length == kPosition) return nullptr;  // a position is never text to repeat
  spend(static_cast<std::size_t>(length) / 64 + 1);
  if (src_end_ - s >= length && std::memcmp(captures_[index].start, s, length) == 0) {
    return s + length;
  }
  return nullptr;
}

const char* PatternMatcher::open_capture(const char* s, const char* p, std::ptrdiff_t kind) {
  if (level_ >= kMaxPatternCaptures) raise(L_, "too many captures");
  captures_[level_] = Capture{s, kind};
  ++level_;
  const char* end = match(s, p);
  if (end == nullptr) --level_;
  return end;
}

const char* PatternMatcher::close_capture(const char* s, const char* p) {
  int open = level_ - 1;
  while (open >= 0 && captures_[open].length != kUnfinished) --open;
  if (open < 0) raise(L_, "invalid pattern capture");
  captures_[open].length = s - captures_[open].start;
  const char* end = match(s, p);
  if (end == nullptr) captures_[open].length = kUnfinished;
  return end;
}

// Longest run of the class first, then back off one character at a time.
const char* PatternMatcher::expand_greedy(const char* s, const char* p, const char* ep) {
  std::size_t count = 0;
  while (single_match(s + count, p, ep)) {
    ++count;
    spend(1);
  }
  for (;;) {
    if (const char* end = match(s + count, ep + 1)) return end;
    if (count == 0) return nullptr;
    --count;
  }
}

// Shortest run first, then one more character at a time.
const char* PatternMatcher::expand_lazy(const char* s, const char* p, const char* ep) {
  for (;;) {
    if (const char* end = match(s, ep + 1)) return end;
    if (!single_match(s, p, ep)) return nullptr;
    ++s;
  }
}

// Matches pattern `p` at subject `s`: the end of the match or nullptr. Steps that would be
// tail calls loop instead, so only real nesting counts against kMaxPatternDepth.
const char* PatternMatcher::match(const char* s, const char* p) {
  if (depth_left_-- == 0) raise(L_, "pattern too complex");
  spend(1);
  const char* result = nullptr;
  for (;;) {
    if (p == pat_end_) {
      result = s;
      break;
    }
    const char c = *p;
    if (c == '(') {
      result = pattern_at(p + 1) == ')' ? open_capture(s, p + 2, kPosition)
                                        : open_capture(s, p + 1, kUnfinished);
      break;
    }
    if (c == ')') {
      result = close_capture(s, p + 1);
      break;
    }
    if (c == '$' && p + 1 == pat_end_) {  // elsewhere '$' is a plain character
      result = s == src_end_ ? s : nullptr;
      break;
    }
    if (c == '%') {
      const char next = pattern_at(p + 1);
      if (next == 'b') {
        s = match_balance(s, p + 2);
        if (s == nullptr) break;
        p += 4;
        continue;
      }
      if (next == 'f') {
        p += 2;
        if (pattern_at(p) != '[') raise(L_, "missing '[' after '%f' in pattern");
        const char* ep = class_end(p);
        const auto previous =
            static_cast<unsigned char>(s == src_begin_ ? '\0' : s[-1]);
        const auto current = static_cast<unsigned char>(subject_at(s));
        if (!in_set(previous, p, ep - 1) && in_set(current, p, ep - 1)) {
          p = ep;
          continue;
        }
        break;
      }
      if (next >= '0' && next <= '9') {
        s = match_back_reference(s, next);
        if (s == nullptr) break;
        p += 2;
        continue;
      }
    }
    // One character class with an optional quantifier.
    const char* ep = class_end(p);
    const char suffix = pattern_at(ep);
    if (!single_match(s, p, ep)) {
      if (suffix == '*' || suffix == '?' || suffix == '-') {
        p = ep + 1;  // zero repetitions are fine
        continue;
      }
      break;
    }
    if (suffix == '?') {
      if (const char* end = match(s + 1, ep + 1)) {
        result = end;
        break;
      }
      p = ep + 1;
      continue;
    }
    if (suffix == '+') {
      result = expand_greedy(s + 1, p, ep);
      break;
    }
    if (suffix == '*') {
      result = expand_greedy(s, p, ep);
      break;
    }
    if (suffix == '-') {
      result = expand_lazy(s, p, ep);
      break;
    }
    ++s;
    p = ep;
  }
  ++depth_left_;
  return result;
}

void PatternMatcher::push_capture(int index, const char* s, const char* e) {
  if (index >= level_) {
    if (index != 0) luaL_error(L_, "invalid capture index %%%d", index + 1);
    lua_pushlstring(L_, s, static_cast<std::size_t>(e - s));  // no captures: the whole match
    return;
  }
  const Capture& capture = captures_[index];
  if (capture.length == kUnfinished) raise(L_, "unfinished capture");
  if (capture.length == kPosition) {
    lua_pushinteger(L_, static_cast<lua_Integer>(capture.start - src_begin_) + 1);
  } else {
    lua_pushlstring(L_, capture.start, static_cast<std::size_t>(capture.length));
  }
}

int PatternMatcher::push_captures(const char* s, const char* e) {
  const int count = level_ == 0 && s != nullptr ? 1 : level_;
  luaL_checkstack(L_, count, "too many captures");
  for (int i = 0; i < count; ++i) push_capture(i, s, e);
  return count;
}

}  // namespace ferry::actions
