// libFuzzer: the escapers of the output formats (cora/output/machine_text.hpp), fed any name a
// repository or a database may hold. Each must leave its format unable to see anything but
// text: no comment ended early in SQL, no new line or terminal escape in text for people, no
// new workflow command in GitHub's log, no character XML 1.0 cannot hold; and the GitHub
// escapes must decode back to the name.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "cora/migrations/migration_file.hpp"
#include "cora/output/machine_text.hpp"

namespace {

using cora::fuzz::require;

// GitHub's decoding of a workflow command's escapes (%25, %0D, %0A, and in properties %3A, %2C).
std::string github_decoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::string code = text.substr(i, 3);
    if (code == "%25") out += '%';
    else if (code == "%0D") out += '\r';
    else if (code == "%0A") out += '\n';
    else if (code == "%3A") out += ':';
    else if (code == "%2C") out += ',';
    else {
      out += text[i];
      continue;
    }
    i += 2;
  }
  return out;
}

void check_sql_comment(const std::string& name) {
  for (const char c : cora::sql_comment_text(name)) {
    require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F, "no control character ends or breaks the comment");
  }
}

void check_printable(const std::string& name) {
  const std::string text = cora::printable_text(name);
  require(!cora::find_invalid_utf8(text), "text for people is UTF-8");
  for (const char c : text) {
    require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F, "no control character reaches the terminal or log");
  }
}

void check_github(const std::string& name) {
  const std::string data = cora::github_data(name);
  require(data.find_first_of("\r\n") == std::string::npos, "a message stays on one line");
  require(github_decoded(data) == name, "a message decodes back to the name");
  const std::string property = cora::github_property(name);
  require(property.find_first_of("\r\n:,") == std::string::npos, "a property holds no separator");
  require(github_decoded(property) == name, "a property decodes back to the name");
}

void check_xml(const std::string& name) {
  const std::string xml = cora::xml_escape(name);
  require(!cora::find_invalid_utf8(xml), "XML text is UTF-8");
  require(xml.find_first_of("<>\"\r") == std::string::npos, "no markup and no raw CR");
  require(xml.find("\xEF\xBF\xBE") == std::string::npos && xml.find("\xEF\xBF\xBF") == std::string::npos,
          "no U+FFFE or U+FFFF");
  for (std::size_t i = 0; i < xml.size(); ++i) {
    const auto c = static_cast<unsigned char>(xml[i]);
    require(c >= 0x20 || c == '\t' || c == '\n', "no control character XML 1.0 forbids");
    if (c != '&') continue;
    const std::string rest = xml.substr(i);
    require(rest.rfind("&amp;", 0) == 0 || rest.rfind("&lt;", 0) == 0 || rest.rfind("&gt;", 0) == 0 ||
                rest.rfind("&quot;", 0) == 0 || rest.rfind("&#13;", 0) == 0,
            "every & starts an entity");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string name = cora::fuzz::text_of(data, size);
  check_sql_comment(name);
  check_printable(name);
  check_github(name);
  check_xml(name);
  return 0;
}
