#include "cora/app/check_app_calls.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cora/util/nearest_name.hpp"

namespace cora::app {

namespace {

// rpc('fn') and find_one('t') reach schema public (the Data API's first schema) unless qualified.
std::string in_public_schema(const std::string& name) {
  return name.find('.') == std::string::npos ? "public." + name : name;
}

// "public.x" -> "x", so that hints read as the code writes names.
std::string name_as_written(const std::string& name) { return name.rfind("public.", 0) == 0 ? name.substr(7) : name; }

std::string suggestion_for(const std::string& name, const std::vector<std::string>& candidates) {
  const auto near = nearest_name(name, candidates);
  return near ? fmt::format("did you mean `{}`?", *near) : std::string();
}

const char* privilege_name(AppAccess access) {
  switch (access) {
    case AppAccess::execute: return "EXECUTE";
    case AppAccess::select: return "SELECT";
    case AppAccess::insert: return "INSERT";
    case AppAccess::update: return "UPDATE";
    case AppAccess::delete_: return "DELETE";
    default: return "USE";
  }
}

std::string call_text(const AppCall& call) {
  const std::string& helper = call.via.empty() ? call.helper : call.via;
  return fmt::format("{}('{}')", helper, call.object);
}

std::string parameter_list_text(const AppFunction& f) {
  std::string out = name_as_written(f.name) + "(";
  for (std::size_t i = 0; i < f.inputs.size(); ++i) {
    out += (i ? ", " : "") + (f.inputs[i].name.empty() ? std::string("$") + std::to_string(i + 1) : f.inputs[i].name);
    if (f.inputs[i].has_default) out += "?";
  }
  return out + ")";
}

class AppCallChecker {
 public:
  AppCallChecker(const AppSchema& schema, const std::string& role) : schema_(schema), role_(role) {}

  void check(const AppCall& call) {
    report.calls++;
    std::vector<std::string> why;
    if (!call.unknown_arguments.empty()) why.push_back("arguments passed as " + call.unknown_arguments);
    if (call.object.empty()) {
      why.push_back(
          fmt::format("the {} name: {}", call.access == AppAccess::execute ? "function" : "table", call.not_literal));
    } else if (call.access == AppAccess::execute) {
      check_function(call, why);
    } else {
      check_relation(call, why);
    }
    if (!why.empty()) {
      report.not_checked++;
      std::string list;
      for (const auto& w : why) list += (list.empty() ? "" : "; ") + w;
      add(kNotChecked, call, call.line,
          fmt::format("{} not checked: {}",
                      call.object.empty() ? (call.via.empty() ? call.helper : call.via) + "(...)" : call_text(call),
                      list),
          "", "write the name and keys as literals (a string, a dict built just before the call), or check it by hand",
          "");
    }
  }

  AppCheckReport report;

 private:
  // One line: what is wrong, the nearest existing name, where the object is defined, the wrapper.
  void add(const char* rule, const AppCall& call, int line, std::string message, const std::string& suggestion,
           std::string hint, std::string defined_at) {
    if (!suggestion.empty()) message += "; " + suggestion;
    if (!defined_at.empty())
      message += fmt::format(" ({} {})", rule == std::string(kUnknownTable) ? "renamed at" : "defined at", defined_at);
    if (!call.via.empty()) message += fmt::format(" [through {} at {}]", call.via, call.via_at);
    report.findings.push_back(
        {rule, call.file, line, call.line, std::move(message), std::move(hint), call.object, std::move(defined_at)});
  }

  void keys_not_literal(const AppKeys& keys, const char* what, std::vector<std::string>& why) {
    if (!keys.not_literal.empty()) why.push_back(fmt::format("the {}: {}", what, keys.not_literal));
    else if (keys.open) why.push_back(fmt::format("some {} keys are not literal", what));
  }

  void check_function(const AppCall& call, std::vector<std::string>& why) {
    const std::string name = in_public_schema(call.object);
    const auto it = schema_.functions.find(name);
    if (it == schema_.functions.end()) {
      std::vector<std::string> names;
      for (const auto& [n, overloads] : schema_.functions) {
        if (n.compare(0, name.find('.') + 1, name, 0, name.find('.') + 1) == 0) names.push_back(name_as_written(n));
      }
      add(kUnknownFunction, call, call.object_line ? call.object_line : call.line,
          fmt::format("{}: no function {} in {}", call_text(call), name, schema_.source),
          suggestion_for(name_as_written(name), names), "create it in a migration, or call the function that exists",
          "");
      return;
    }
    const auto& overloads = it->second;
    keys_not_literal(call.params, "parameters", why);
    if (!call.params.not_literal.empty()) return;
    std::vector<std::string> known;
    for (const auto& f : overloads) {
      for (const auto& p : f.inputs) {
        if (!p.name.empty() && std::find(known.begin(), known.end(), p.name) == known.end()) known.push_back(p.name);
      }
    }
    bool unknown = false;
    for (const auto& key : call.params.keys) {
      if (std::find(known.begin(), known.end(), key.name) != known.end()) continue;
      unknown = true;
      add(kUnknownParameter, call, key.line ? key.line : call.line,
          fmt::format("{}: `{}` is not a parameter of {}", call_text(call), key.name,
                      parameter_list_text(overloads.front())),
          suggestion_for(key.name, known), "pass the parameter under the name the function has",
          overloads.front().at.text());
    }
    if (unknown) return;
    // An overload taking exactly these names: each key one of its parameters, each parameter
    // without a default given (unless some keys are not literal).
    const AppFunction* match = nullptr;
    const AppFunction* closest = &overloads.front();
    for (const auto& f : overloads) {
      const bool takes_keys = std::all_of(call.params.keys.begin(), call.params.keys.end(), [&](const AppKey& k) {
        return std::any_of(f.inputs.begin(), f.inputs.end(), [&](const AppParameter& p) { return p.name == k.name; });
      });
      const bool has_required =
          call.params.open || std::all_of(f.inputs.begin(), f.inputs.end(), [&](const AppParameter& p) {
            return p.has_default || std::any_of(call.params.keys.begin(), call.params.keys.end(),
                                                [&](const AppKey& k) { return k.name == p.name; });
          });
      if (takes_keys) closest = &f;
      if (takes_keys && has_required) {
        match = &f;
        break;
      }
    }
    if (!match) {
      std::string missing;
      for (const auto& p : closest->inputs) {
        const bool given = std::any_of(call.params.keys.begin(), call.params.keys.end(),
                                       [&](const AppKey& k) { return k.name == p.name; });
        if (!given && !p.has_default) missing += (missing.empty() ? "`" : ", `") + p.name + "`";
      }
      add(kMissingParameter, call, call.line,
          fmt::format("{}: no overload of {} takes these parameters; {} {} no default", call_text(call),
                      name_as_written(name), missing, missing.find(',') == std::string::npos ? "has" : "have"),
          "", fmt::format("pass {}, or give the parameter a DEFAULT: {}", missing, parameter_list_text(*closest)),
          closest->at.text());
      return;
    }
    if (!schema_.role_missing && match->role_may_execute == false) {
      add(kNotGranted, call, call.line,
          fmt::format("{}: {} may not EXECUTE {}", call_text(call), role_, parameter_list_text(*match)), "",
          fmt::format("GRANT EXECUTE ON FUNCTION {} TO {} in a migration", name, role_), match->at.text());
    }
  }

  void check_columns(const AppCall& call, const AppRelation& relation, const AppKeys& keys, const char* what,
                     std::vector<std::string>& why) {
    keys_not_literal(keys, what, why);
    if (!relation.columns) return;
    for (const auto& key : keys.keys) {
      if (std::find(relation.columns->begin(), relation.columns->end(), key.name) != relation.columns->end()) continue;
      add(kUnknownColumn, call, key.line ? key.line : call.line,
          fmt::format("{}: {} `{}` is not a column of {} {}", call_text(call), what, key.name, relation.kind,
                      relation.name),
          suggestion_for(key.name, *relation.columns), "use a column the " + relation.kind + " has",
          relation.at.text());
    }
  }

  void check_relation(const AppCall& call, std::vector<std::string>& why) {
    const std::string name = in_public_schema(call.object);
    const auto it = schema_.relations.find(name);
    if (it == schema_.relations.end()) {
      std::vector<std::string> names;
      for (const auto& [n, r] : schema_.relations) names.push_back(name_as_written(n));
      const auto renamed = schema_.renamed.find(name);
      const std::string renamed_at = renamed == schema_.renamed.end() ? std::string() : renamed->second.text();
      add(kUnknownTable, call, call.object_line ? call.object_line : call.line,
          fmt::format("{}: no table or view {} in {}", call_text(call), name, schema_.source),
          suggestion_for(name_as_written(name), names), "use the table that exists, or create it in a migration",
          renamed_at);
      return;
    }
    const auto& relation = it->second;
    check_columns(call, relation, call.filters, "filter", why);
    check_columns(call, relation, call.data, "data", why);
    if (!call.access_known) {
      why.push_back("the operation is not literal, so the privilege it needs");
      return;
    }
    if (schema_.role_missing) return;
    const auto may = relation.role_may.find(call.access);
    if (may != relation.role_may.end() && !may->second) {
      add(kNotGranted, call, call.line,
          fmt::format("{}: {} may not {} {} {}", call_text(call), role_, privilege_name(call.access), relation.kind,
                      relation.name),
          "",
          fmt::format("GRANT {} ON {} TO {} in a migration, or leave the call out", privilege_name(call.access), name,
                      role_),
          relation.at.text());
    }
  }

  const AppSchema& schema_;
  const std::string& role_;
};

}  // namespace

AppCheckReport check_app_calls(const AppCalls& calls, const AppSchema& schema, const std::string& role) {
  AppCallChecker checker(schema, role);
  for (const auto& call : calls.calls) checker.check(call);
  for (const auto& error : calls.errors) {
    checker.report.findings.push_back({kUnreadableFile, error.file, error.line, error.line, error.message,
                                       "fix the file: its calls are not checked", "", ""});
  }
  for (const auto& call : calls.calls) {
    if (!call.object.empty()) checker.report.objects.push_back(call.object);
  }
  checker.report.files = calls.files;
  std::sort(checker.report.objects.begin(), checker.report.objects.end());
  checker.report.objects.erase(std::unique(checker.report.objects.begin(), checker.report.objects.end()),
                               checker.report.objects.end());
  std::stable_sort(checker.report.findings.begin(), checker.report.findings.end(),
                   [](const AppFinding& a, const AppFinding& b) {
                     return a.file != b.file ? a.file < b.file : a.line < b.line;
                   });
  return checker.report;
}

}  // namespace cora::app
