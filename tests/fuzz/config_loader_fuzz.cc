// Fuzzes the configuration loader (config/loader.h): load_project() on a folder holding a
// fuzzed integrations.yaml and, optionally, ferry.yaml, a folder blueprint and a .env file.
//
// Input: the text of integrations.yaml, then optional sections each introduced by a line
//   #== ferry.yaml        #== blueprints/fuzz.yaml        #== .env
// (the files are written to one temporary folder per process, replaced for every input).
// ${VAR} placeholders are filled from the parsed .env plus FUZZ_SECRET.
// Oracle: no crash or sanitizer report; a refusal is Errc::config_invalid with a message;
// a loaded project has its catalog and a base URL for every integration.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

#include "ferry/config/environment.h"
#include "ferry/config/loader.h"
#include "fuzz_check.h"

namespace {

namespace fs = std::filesystem;

const char* const kSectionNames[] = {"ferry.yaml", "blueprints/fuzz.yaml", ".env"};

// The folder every input is loaded from, created once and removed at exit.
const fs::path& folder() {
  static const fs::path path = [] {
    std::string name = (fs::temp_directory_path() / "ferry-fuzz-config-XXXXXX").string();
    FERRY_FUZZ_CHECK(::mkdtemp(name.data()) != nullptr, "cannot create a temporary folder");
    fs::create_directories(fs::path(name) / "blueprints");
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(folder(), ignored);
    });
    return fs::path(name);
  }();
  return path;
}

// integrations.yaml and the optional sections of `input`, by file name.
std::map<std::string, std::string> files_of(std::string_view input) {
  std::map<std::string, std::string> files;
  std::string current = "integrations.yaml";
  files[current];
  while (!input.empty()) {
    const auto [line, rest] = ferry::fuzz::split_once(input, '\n');
    bool is_marker = false;
    if (line.starts_with("#== ")) {
      for (const char* name : kSectionNames) {
        if (line.substr(4) == name) {
          current = name;
          files[current];
          is_marker = true;
        }
      }
    }
    if (!is_marker) (files[current] += line) += '\n';
    input = rest;
  }
  return files;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto files = files_of({reinterpret_cast<const char*>(data), size});
  const fs::path& dir = folder();
  std::error_code ignored;
  for (const char* name : kSectionNames) fs::remove(dir / name, ignored);
  for (const auto& [name, text] : files) write_file(dir / name, text);

  std::map<std::string, std::string> variables = {{"FUZZ_SECRET", "fuzz-secret-value"}};
  if (auto dotenv = files.find(".env"); dotenv != files.end()) {
    auto parsed = ferry::config::parse_dotenv(dotenv->second, ".env");
    if (!parsed) {
      FERRY_FUZZ_CHECK(parsed.error().code == ferry::Errc::config_invalid, ".env: another Errc");
      return 0;
    }
    variables.merge(*parsed);
  }
  const auto env = ferry::config::Environment::from_map(std::move(variables));

  auto project = ferry::config::load_project(dir, env);
  if (!project) {
    FERRY_FUZZ_CHECK(project.error().code == ferry::Errc::config_invalid, "another Errc");
    FERRY_FUZZ_CHECK(!project.error().message.empty(), "a refusal without a message");
    return 0;
  }
  FERRY_FUZZ_CHECK(project->catalog != nullptr, "a loaded project without its catalog");
  for (const auto& [key, integration] : project->integrations) {
    FERRY_FUZZ_CHECK(!integration.requests.base_url.empty(), "an integration without base URL");
  }
  return 0;
}
