#include "cora/output/machine_text.hpp"

namespace cora {

namespace {

constexpr const char* kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at `at` whose code point XML 1.0 allows (tab,
// LF and CR included), or 0.
std::size_t xml_char_length(const std::string& text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return lead >= 0x20 || lead == '\t' || lead == '\n' || lead == '\r' ? 1 : 0;
  const std::size_t length = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 0;
  if (length == 0 || at + length > text.size()) return 0;
  char32_t code = lead & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(at + i) & 0x3F);
  }
  static constexpr char32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kShortest[length] || code > 0x10FFFF) return 0;  // overlong, or past Unicode
  if (code >= 0xD800 && code <= 0xDFFF) return 0;             // surrogates are not characters
  if (code == 0xFFFE || code == 0xFFFF) return 0;             // nor are these two, for XML
  return length;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = xml_char_length(text, i);
    if (length == 0) {
      out += kReplacementCharacter;
      ++i;
      continue;
    }
    switch (text[i]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r': out += "&#13;"; break;  // a raw CR would be read back as a newline
      default: out.append(text, i, length);
    }
    i += length;
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

std::string sql_comment_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace cora
