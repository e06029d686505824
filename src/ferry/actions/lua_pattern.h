#pragma once

#include <cstddef>

struct lua_State;

namespace ferry::actions {

// How a pattern match learns that its run must stop. `stop(L)` is called every
// kPatternStepsPerCheck steps: nullptr to go on, else the message the match raises (the
// run's limit reason). Must outlive every state it is installed in (a static object).
struct PatternLimits {
  const char* (*stop)(lua_State* L);
};

inline constexpr int kMaxPatternDepth = 200;     // nesting past this: "pattern too complex"
inline constexpr int kMaxPatternCaptures = 32;   // more: "too many captures"
inline constexpr int kPatternStepsPerCheck = 4096;

// A Lua 5.4 pattern matcher that counts its work.
//
// Why not the stock one: Lua's matcher runs in C, where the instruction-count hook never
// fires, so a backtracking pattern can run for minutes. This one follows the same
// semantics (classes, sets, quantifiers, anchors, captures, %b, %f, back-references, the
// same errors) and asks `limits` whether to go on every few thousand steps (one step: one
// subject character examined or one nested match), raising the answer as a Lua error.
//
// The pattern is the text after a leading '^' anchor, which the caller handles (as Lua's
// find, match and gsub do; gmatch treats '^' as a plain character). Both texts must stay
// alive and unchanged while the matcher is used. Raises Lua errors: use only inside a Lua C
// function. Trivially destructible, so a raised error may cross its frame.
class PatternMatcher {
 public:
  static constexpr std::ptrdiff_t kUnfinished = -1;  // capture opened, not closed yet
  static constexpr std::ptrdiff_t kPosition = -2;    // a () position capture

  PatternMatcher(lua_State* L, const char* subject, std::size_t subject_size,
                 const char* pattern, std::size_t pattern_size, const PatternLimits* limits);

  // Matches the pattern starting exactly at `s` (within the subject, or its end). Returns
  // the end of the match, or nullptr. Captures are reset first.
  const char* match_at(const char* s);

  const char* subject_begin() const { return src_begin_; }
  const char* subject_end() const { return src_end_; }
  int capture_count() const { return level_; }

  // Pushes capture `index` (0-based) of the last match [s, e): a string, or an integer for
  // a position capture; with no captures at all, index 0 is the whole match. Raises
  // "invalid capture index %N" and "unfinished capture" like Lua.
  void push_capture(int index, const char* s, const char* e);
  // Pushes every capture of the last match (or the whole match when there is none and `s`
  // is not null) and returns how many.
  int push_captures(const char* s, const char* e);
  // Counts `amount` steps of work against the limits (exposed for the callers' own loops).
  void spend(std::size_t amount);

 private:
  struct Capture {
    const char* start;
    std::ptrdiff_t length;
  };

  const char* match(const char* s, const char* p);
  const char* match_default(const char* s, const char* p, bool* done);
  const char* match_balance(const char* s, const char* p);
  const char* match_back_reference(const char* s, char digit);
  const char* open_capture(const char* s, const char* p, std::ptrdiff_t kind);
  const char* close_capture(const char* s, const char* p);
  const char* expand_greedy(const char* s, const char* p, const char* ep);
  const char* expand_lazy(const char* s, const char* p, const char* ep);
  const char* class_end(const char* p);
  bool single_match(const char* s, const char* p, const char* ep);
  bool in_set(unsigned char c, const char* p, const char* ec) const;
  char pattern_at(const char* p) const { return p < pat_end_ ? *p : '\0'; }
  char subject_at(const char* s) const { return s < src_end_ ? *s : '\0'; }

  lua_State* L_;
  const char* src_begin_;
  const char* src_end_;
  const char* pat_begin_;
  const char* pat_end_;
  const PatternLimits* limits_;
  int depth_left_ = kMaxPatternDepth;
  int level_ = 0;
  std::size_t steps_left_ = kPatternStepsPerCheck;
  Capture captures_[kMaxPatternCaptures];
};

// True when `c` belongs to class letter `cl` (%a %c %d %g %l %p %s %u %w %x, the old %z,
// and their upper-case complements; any other letter stands for itself), in the C locale.
bool matches_class(unsigned char c, unsigned char cl);

// Replaces find, match, gmatch and gsub in the table at `index` (the string library, which
// the string metatable's __index also reaches) with functions built on PatternMatcher that
// behave like Lua 5.4's and stop when `limits` says so. Raises on memory errors.
void install_budgeted_patterns(lua_State* L, int index, const PatternLimits* limits);

}  // namespace ferry::actions
