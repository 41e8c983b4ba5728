#include "cora/output/machine_text.hpp"

namespace cora {

namespace {

constexpr const char* kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

struct Utf8Character {
  std::size_t length = 0;  // 0: not well-formed UTF-8 at this byte
  char32_t code = 0;
};

// The well-formed UTF-8 sequence at `at`: no overlong form, no surrogate, nothing past U+10FFFF.
Utf8Character utf8_character_at(const std::string& text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return {1, lead};
  const std::size_t length = (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 0;
  if (length == 0 || at + length > text.size()) return {};
  char32_t code = lead & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return {};
    code = (code << 6) | (byte(at + i) & 0x3F);
  }
  static constexpr char32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kShortest[length] || code > 0x10FFFF) return {};  // overlong, or past Unicode
  if (code >= 0xD800 && code <= 0xDFFF) return {};             // surrogates are not characters
  return {length, code};
}

bool is_control(char32_t code) { return code < 0x20 || code == 0x7F; }

// The length of the character at `at` if XML 1.0 allows it (tab, LF and CR included), or 0.
std::size_t xml_char_length(const std::string& text, std::size_t at) {
  const auto c = utf8_character_at(text, at);
  if (c.length == 0 || c.code == 0xFFFE || c.code == 0xFFFF) return 0;
  if (is_control(c.code) && c.code != 0x7F && c.code != '\t' && c.code != '\n' && c.code != '\r') return 0;
  return c.length;
}

// "\x1b" for ESC: how printable_text and sql_comment_text show a byte they cannot write as it is.
std::string hex_escape(unsigned char byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("\\x") + kHex[byte >> 4] + kHex[byte & 0xF];
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

std::string printable_text(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = utf8_character_at(text, i);
    if (c.length == 0) {
      out += hex_escape(static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (c.code == '\n') out += "\\n";
    else if (c.code == '\r') out += "\\r";
    else if (c.code == '\t') out += ' ';
    else if (is_control(c.code)) out += hex_escape(static_cast<unsigned char>(c.code));
    else out.append(text, i, c.length);
    i += c.length;
  }
  return out;
}

std::string sql_comment_text(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (is_control(byte)) out += hex_escape(byte);
    else out.push_back(c);
  }
  return out;
}

}  // namespace cora
