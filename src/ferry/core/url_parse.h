#pragma once

#include <boost/system/result.hpp>
#include <boost/url/url_view.hpp>
#include <string_view>

namespace ferry {

// Boost.URL's URI parsers (same contracts and results), shielded from a defect of Boost.URL
// 1.81: when a single character follows "scheme:" and it cannot start a path ("http:?",
// "a:#", "https: ", "http:<"), the hier-part rule records one segment for the empty path and
// Boost.URL's own assertion (path.hpp, `nseg == 0`) aborts the process in any build that
// keeps assertions. Such a text has neither an authority nor a path, which no caller in
// Ferry accepts, so these refuse it (grammar::error::invalid) before Boost.URL sees it.
// Use these, never boost::urls::parse_uri and friends, on text that comes from outside.
// Pure functions; the view points into `text`.
boost::system::result<boost::urls::url_view> parse_uri(std::string_view text);
boost::system::result<boost::urls::url_view> parse_absolute_uri(std::string_view text);
boost::system::result<boost::urls::url_view> parse_uri_reference(std::string_view text);

}  // namespace ferry
