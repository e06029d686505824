// Boost.URL's compiled part. Debian ships Boost.URL as headers only, so exactly one
// translation unit of the program includes its sources.
#include <boost/url/src.hpp>
