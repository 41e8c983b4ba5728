#include "cora/output/machine_text.hpp"

namespace cora {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string github_data(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out.push_back(c);
  }
  return out;
}

std::string github_property(const std::string& text) {
  std::string out;
  for (const char c : github_data(text)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out.push_back(c);
  }
  return out;
}

std::string github_title(const std::string& target, const std::string& text) {
  return github_property(target.empty() ? text : "[" + target + "] " + text);
}

std::string github_location(const std::string& file, int line, int column) {
  if (file.empty()) return "";
  std::string out = "file=" + github_property(file);
  if (line > 0) out += ",line=" + std::to_string(line);
  if (line > 0 && column > 0) out += ",col=" + std::to_string(column);
  return out;
}

}  // namespace cora
