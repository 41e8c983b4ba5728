#pragma once
// Escaping text for the machine formats: XML (JUnit) and GitHub workflow commands
// (`::error file=F,line=L,title=T::message`).

#include <string>

namespace cora {

// &, <, > and " as XML entities: safe in attribute values and element text.
std::string xml_escape(const std::string& text);

// A workflow command's message: %, CR and LF escaped, so it stays one line.
std::string github_data(const std::string& text);

// A workflow command's property value (file, title): also : and , escaped.
std::string github_property(const std::string& text);

// A workflow command's title, escaped: "[TARGET] text" in a run over several environments
// (--as-target), so that each annotation says which database it is about; `text` alone otherwise.
std::string github_title(const std::string& target, const std::string& text);

// "file=F,line=L,col=C" as far as it is known (line and column 0: unknown); empty without a file.
std::string github_location(const std::string& file, int line, int column = 0);

}  // namespace cora
