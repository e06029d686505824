#include "ferry/observe/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace ferry::observe {
namespace {

TEST(PrometheusText, EscapesLabelValuesAndHelpAsTheFormatSays) {
  struct Case {
    std::string_view in;
    std::string_view label;
    std::string_view help;
  };
  for (const Case& c : {Case{"jira", "jira", "jira"}, Case{"a\\b", "a\\\\b", "a\\\\b"},
                        Case{"say \"hi\"", "say \\\"hi\\\"", "say \"hi\""},
                        Case{"two\nlines", "two\\nlines", "two\\nlines"}, Case{"", "", ""}}) {
    EXPECT_EQ(escape_label_value(c.in), c.label) << c.in;
    EXPECT_EQ(escape_help(c.in), c.help) << c.in;
  }
}

TEST(PrometheusText, FormatsValuesShortestFirst) {
  struct Case {
    double value;
    std::string_view text;
  };
  for (const Case& c : {Case{0.005, "0.005"}, Case{1, "1"}, Case{2.5, "2.5"}, Case{60, "60"},
                        Case{0, "0"}, Case{std::numeric_limits<double>::infinity(), "+Inf"},
                        Case{-std::numeric_limits<double>::infinity(), "-Inf"}}) {
    EXPECT_EQ(format_value(c.value), c.text);
  }
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(PrometheusText, FormatsLabelSets) {
  const std::vector<std::string> names = {"integration", "status_class"};
  const std::vector<std::string> values = {"ji\"ra", "5xx"};
  EXPECT_EQ(format_labels(names, values), "{integration=\"ji\\\"ra\",status_class=\"5xx\"}");
  EXPECT_EQ(format_labels(names, values, "0.5"),
            "{integration=\"ji\\\"ra\",status_class=\"5xx\",le=\"0.5\"}");
  EXPECT_EQ(format_labels({}, {}), "");
  EXPECT_EQ(format_labels({}, {}, "+Inf"), "{le=\"+Inf\"}");
}

TEST(PrometheusText, RendersAHistogramSeriesWithCumulativeBuckets) {
  const std::vector<std::string> names = {"integration"};
  const std::vector<std::string> values = {"jira"};
  const std::vector<double> bounds = {0.1, 1};
  HistogramSnapshot snapshot{{2, 1, 3}, 12.5};
  std::string out;
  append_histogram_samples(out, "x_seconds", names, values, bounds, snapshot);
  EXPECT_EQ(out,
            "x_seconds_bucket{integration=\"jira\",le=\"0.1\"} 2\n"
            "x_seconds_bucket{integration=\"jira\",le=\"1\"} 3\n"
            "x_seconds_bucket{integration=\"jira\",le=\"+Inf\"} 6\n"
            "x_seconds_sum{integration=\"jira\"} 12.5\n"
            "x_seconds_count{integration=\"jira\"} 6\n");
}

TEST(PrometheusText, RendersAFamilyHeader) {
  std::string out;
  append_family_header(out, "x_total", "Things\\counted\nhere.", "counter");
  EXPECT_EQ(out, "# HELP x_total Things\\\\counted\\nhere.\n# TYPE x_total counter\n");
}

}  // namespace
}  // namespace ferry::observe
