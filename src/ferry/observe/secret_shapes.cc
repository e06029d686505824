#include "ferry/observe/secret_shapes.h"

#include "ferry/core/strings.h"
#include "ferry/observe/secret_names.h"

namespace ferry::observe {
namespace {

bool equals_icase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && starts_with_icase(a, b);
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_line_end(char c) { return c == '\r' || c == '\n'; }
// Characters a bearer token or base64 credential is made of.
bool is_token_char(char c) {
  return is_name_char(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}

class Scanner {
 public:
  Scanner(std::string_view text, std::vector<TextRange>& out) : text_(text), out_(out) {}

  void run() {
    std::size_t i = 0;
    while (i < text_.size()) {
      if (!is_name_char(text_[i])) {
        ++i;
        continue;
      }
      const std::size_t start = i;
      while (i < text_.size() && is_name_char(text_[i])) ++i;
      i = after_name(start, i);
    }
  }

 private:
  char at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

  std::size_t skip_blanks(std::size_t i) const {
    while (i < text_.size() && is_blank(text_[i])) ++i;
    return i;
  }

  void mask(std::size_t begin, std::size_t end) {
    if (end > begin) out_.push_back(TextRange{begin, end});
  }

  // Looks at what follows the name text_[start, end); returns where scanning goes on.
  std::size_t after_name(std::size_t start, std::size_t end) {
    const std::string_view name = text_.substr(start, end - start);
    const char before = start > 0 ? text_[start - 1] : '\0';
    const char next = at(end);

    if (before == '"' && next == '"') return json_member(name, end + 1);
    if (next == '=' && is_secret_name(name, NamePlace::form_or_query)) {
      return mask_until_delimiter(end + 1);
    }
    if (next == ':' && before != '"') return header(name, end + 1);
    if (before == '/' && next == '/' && is_secret_name(name, NamePlace::path_segment)) {
      return mask_segment(end + 1);
    }
    if (equals_icase(name, "bearer") || equals_icase(name, "basic")) return scheme_token(end);
    return end;
  }

  // text_[from] is just after the closing quote of a member name.
  std::size_t json_member(std::string_view name, std::size_t from) {
    std::size_t i = from;
    while (i < text_.size() && is_space(text_[i])) ++i;
    if (at(i) != ':' || !is_secret_name(name, NamePlace::json_key)) return from;
    ++i;
    while (i < text_.size() && is_space(text_[i])) ++i;
    if (at(i) == '"') return mask_json_string(i + 1);
    if (at(i) == '{' || at(i) == '[') return i;  // its own members are judged by their names
    const std::size_t begin = i;
    while (i < text_.size() && text_[i] != ',' && text_[i] != '}' && text_[i] != ']' &&
           !is_space(text_[i])) {
      ++i;
    }
    mask(begin, i);
    return i;
  }

  // text_[begin] is the first byte of a JSON string's contents; masks them up to the
  // closing quote (an unclosed string is masked to the end).
  std::size_t mask_json_string(std::size_t begin) {
    std::size_t i = begin;
    while (i < text_.size() && text_[i] != '"') i += (text_[i] == '\\') ? 2 : 1;
    const std::size_t end = i < text_.size() ? i : text_.size();
    mask(begin, end);
    return end;
  }

  // A query or form value: up to '&', '#', a quote or white space.
  std::size_t mask_until_delimiter(std::size_t begin) {
    std::size_t i = begin;
    while (i < text_.size() && text_[i] != '&' && text_[i] != '#' && text_[i] != '"' &&
           text_[i] != '\'' && !is_space(text_[i])) {
      ++i;
    }
    mask(begin, i);
    return i;
  }

  std::size_t mask_segment(std::size_t begin) {
    std::size_t i = begin;
    while (i < text_.size() && text_[i] != '/' && text_[i] != '?' && text_[i] != '#' &&
           text_[i] != '"' && !is_space(text_[i])) {
      ++i;
    }
    mask(begin, i);
    return i;
  }

  // `Name: value`, text_[from] just after the colon.
  std::size_t header(std::string_view name, std::size_t from) {
    if (is_credential_header(name)) {
      std::size_t i = skip_blanks(from);
      // Keep an Authorization scheme ("Bearer", "Basic", "AWS4-HMAC-SHA256") readable.
      std::size_t word = i;
      while (word < text_.size() && is_name_char(text_[word])) ++word;
      if (word > i && is_blank(at(word)) && !equals_icase(name, "cookie") &&
          !equals_icase(name, "set-cookie")) {
        i = skip_blanks(word);
      }
      std::size_t end = i;
      while (end < text_.size() && !is_line_end(text_[end])) ++end;
      mask(i, end);
      return end;
    }
    if (!is_secret_name(name, NamePlace::form_or_query)) return from;
    const std::size_t begin = skip_blanks(from);
    std::size_t end = begin;
    while (end < text_.size() && !is_space(text_[end])) ++end;
    mask(begin, end);
    return end;
  }

  // `Bearer value`: masks the token after the scheme word when it has a token's shape.
  std::size_t scheme_token(std::size_t from) {
    const std::size_t begin = skip_blanks(from);
    if (begin == from) return from;
    std::size_t end = begin;
    while (end < text_.size() && is_token_char(text_[end])) ++end;
    if (end - begin < 4) return from;
    mask(begin, end);
    return end;
  }

  std::string_view text_;
  std::vector<TextRange>& out_;
};

}  // namespace

void find_secret_shapes(std::string_view text, std::vector<TextRange>& out) {
  Scanner(text, out).run();
}

}  // namespace ferry::observe
