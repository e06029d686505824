#include "ferry/core/url_encoding.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace ferry {

std::string percent_encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string encode_target_chars(std::string_view target) {
  // Boost.URL never keeps '%' raw, so the text is encoded between the '%' it holds.
  static constexpr auto kKept = boost::urls::pchars + boost::urls::grammar::lut_chars("/?");
  std::string out;
  for (;;) {
    const auto percent = target.find('%');
    out += boost::urls::encode(target.substr(0, percent), kKept);
    if (percent == std::string_view::npos) return out;
    out += '%';
    target.remove_prefix(percent + 1);
  }
}

void append_query_param(std::string& query, std::string_view name, std::string_view value,
                        char separator) {
  if (!query.empty()) query += separator;
  query += percent_encode(name);
  query += '=';
  query += percent_encode(value);
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) append_query_param(out, name, value);
  return out;
}

}  // namespace ferry
