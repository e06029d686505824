#include "ferry/config/source_tree.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ferry::config {
namespace {

SourceLocation location_of(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null() || mark.line < 0) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

SourceNode convert(const YAML::Node& node, const std::string& file, Problems& problems);

void convert_map(const YAML::Node& node, const std::string& file, Problems& problems,
                 SourceNode& out) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    SourceLocation key_location = location_of(it->first.Mark(), file);
    if (!it->first.IsScalar()) {
      problems.add(key_location, "", "expected a plain key, got a list or map");
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (const SourceNode* first = out.find(key)) {
      problems.add(key_location, key,
                   "duplicate key (first written at line " +
                       std::to_string(first->key_location.line) + ")");
      continue;
    }
    SourceNode child = convert(it->second, file, problems);
    child.key = key;
    child.key_location = key_location;
    // A null value has no position of its own; point at its key.
    if (child.is_null()) child.location = key_location;
    out.children.push_back(std::move(child));
  }
}

SourceNode convert(const YAML::Node& node, const std::string& file, Problems& problems) {
  SourceNode out;
  out.location = location_of(node.Mark(), file);
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      out.kind = SourceNode::Kind::scalar;
      out.scalar = node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      out.kind = SourceNode::Kind::sequence;
      for (const auto& item : node) out.children.push_back(convert(item, file, problems));
      break;
    case YAML::NodeType::Map:
      out.kind = SourceNode::Kind::map;
      convert_map(node, file, problems, out);
      break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return out;
}

void emit(YAML::Emitter& out, const SourceNode& node) {
  switch (node.kind) {
    case SourceNode::Kind::null:
      out << YAML::Null;
      break;
    case SourceNode::Kind::scalar:
      out << node.scalar;
      break;
    case SourceNode::Kind::sequence:
      out << YAML::BeginSeq;
      for (const auto& item : node.children) emit(out, item);
      out << YAML::EndSeq;
      break;
    case SourceNode::Kind::map:
      out << YAML::BeginMap;
      for (const auto& entry : node.children) {
        out << YAML::Key << entry.key << YAML::Value;
        emit(out, entry);
      }
      out << YAML::EndMap;
      break;
  }
}

bool is_env_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  for (char c : name) {
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

const SourceNode* SourceNode::find(std::string_view name) const {
  if (kind != Kind::map) return nullptr;
  for (const auto& child : children) {
    if (child.key == name) return &child;
  }
  return nullptr;
}

SourceNode* SourceNode::find(std::string_view name) {
  return const_cast<SourceNode*>(static_cast<const SourceNode*>(this)->find(name));
}

std::string_view SourceNode::kind_name() const {
  switch (kind) {
    case Kind::null: return "nothing";
    case Kind::scalar: return "a string";
    case Kind::sequence: return "a list";
    case Kind::map: return "a map";
  }
  return "nothing";
}

std::optional<SourceNode> parse_yaml(std::string_view text, const std::string& file,
                                     Problems& problems) {
  // yaml-cpp throws; nothing above config/ should have to know that.
  try {
    YAML::Node root = YAML::Load(std::string(text));
    return convert(root, file, problems);
  } catch (const YAML::Exception& e) {
    problems.add(location_of(e.mark, file), "", "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    problems.add({file, 0, 0}, "", std::string("invalid YAML: ") + e.what());
  }
  return std::nullopt;
}

std::optional<SourceNode> read_yaml_file(const std::filesystem::path& path, Problems& problems) {
  std::string label = std::filesystem::absolute(path).lexically_normal().string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.add_file(label, std::string("cannot read: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    problems.add_file(label, std::string("cannot read: ") + std::strerror(errno));
    return std::nullopt;
  }
  return parse_yaml(text.str(), label, problems);
}

std::string to_yaml(const SourceNode& node) {
  YAML::Emitter out;
  emit(out, node);
  return std::string(out.c_str()) + "\n";
}

std::string substitute_env(std::string_view text, const Environment& env,
                           std::vector<std::string>& missing, std::vector<std::string>* filled) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i, 3) == "$${") {
      out += "${";
      i += 3;
      continue;
    }
    std::size_t close = text.substr(i, 2) == "${" ? text.find('}', i + 2) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out += text[i++];
      continue;
    }
    std::string_view name = text.substr(i + 2, close - i - 2);
    const std::string* value = is_env_name(name) ? env.find(name) : nullptr;
    if (value != nullptr) {
      out += *value;
      if (filled != nullptr) filled->emplace_back(name);
    } else {
      if (is_env_name(name)) missing.emplace_back(name);
      out += text.substr(i, close + 1 - i);
    }
    i = close + 1;
  }
  return out;
}

void substitute_env(SourceNode& node, const Environment& env, const std::string& path,
                    Problems& problems) {
  if (node.kind == SourceNode::Kind::scalar) {
    std::vector<std::string> missing;
    node.scalar = substitute_env(node.scalar, env, missing, &node.variables);
    for (const auto& name : missing) {
      problems.add(node.location, path, "environment variable " + name + " is not set");
    }
    return;
  }
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    SourceNode& child = node.children[i];
    std::string sub = node.is_map() ? child_path(path, child.key)
                                    : path + "[" + std::to_string(i) + "]";
    substitute_env(child, env, sub, problems);
  }
}

SourceNode merge(SourceNode base, const SourceNode& overlay) {
  if (overlay.is_null()) return base;
  if (!base.is_map() || !overlay.is_map()) {
    SourceNode out = overlay;
    out.key = base.key;
    return out;
  }
  for (const auto& entry : overlay.children) {
    if (entry.is_null()) continue;
    if (SourceNode* existing = base.find(entry.key)) {
      *existing = merge(std::move(*existing), entry);
      existing->key_location = entry.key_location;
    } else {
      base.children.push_back(entry);
    }
  }
  base.location = overlay.location;
  return base;
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

}  // namespace ferry::config
