// The column names secret_looking_column() knows; docs/lints.md lists them for users.

#include <algorithm>
#include <array>

#include "cora/lints/lint_context.hpp"

namespace cora {

namespace {

// Column names that usually hold a credential or personal identifier (cf. splinter's
// sensitive_columns_exposed), compared after lower-casing and reading '-' as '_'.
constexpr std::array<const char*, 48> kSensitiveNames{"password",
                                                      "passwd",
                                                      "pwd",
                                                      "passphrase",
                                                      "password_hash",
                                                      "hashed_password",
                                                      "encrypted_password",
                                                      "client_secret",
                                                      "secret",
                                                      "secret_key",
                                                      "private_key",
                                                      "api_key",
                                                      "apikey",
                                                      "auth_key",
                                                      "token",
                                                      "jwt",
                                                      "access_token",
                                                      "refresh_token",
                                                      "oauth_token",
                                                      "session_token",
                                                      "bearer_token",
                                                      "auth_code",
                                                      "session_secret",
                                                      "recovery_code",
                                                      "backup_code",
                                                      "verification_code",
                                                      "otp",
                                                      "two_factor",
                                                      "ssn",
                                                      "social_security_number",
                                                      "drivers_license",
                                                      "passport_number",
                                                      "national_id",
                                                      "tax_id",
                                                      "credit_card",
                                                      "card_number",
                                                      "cvv",
                                                      "cvc",
                                                      "bank_account",
                                                      "account_number",
                                                      "routing_number",
                                                      "iban",
                                                      "medical_record",
                                                      "health_record",
                                                      "insurance_number",
                                                      "pgp_key",
                                                      "ssh_key",
                                                      "license_key"};

}  // namespace

bool secret_looking_column(const std::string& column) {
  std::string folded;
  for (const char ch : column)
    folded.push_back(ch == '-' ? '_' : (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch);
  return std::any_of(kSensitiveNames.begin(), kSensitiveNames.end(), [&](const char* n) { return folded == n; });
}

}  // namespace cora
