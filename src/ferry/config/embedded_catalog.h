#pragma once

#include <string>
#include <vector>

namespace ferry::config {

// A file compiled into the binary: its name ("jira.yaml") and its bytes.
struct EmbeddedFile {
  std::string name;
  std::string text;
};

// The repository's blueprints/*.yaml, sorted by name. Generated at build time.
const std::vector<EmbeddedFile>& embedded_blueprints();

}  // namespace ferry::config
