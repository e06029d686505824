#pragma once

#include <string>

namespace ferry::testing {

// Throwaway X.509 material for TLS tests, written as PEM files into one directory.
// Every certificate is valid for 2 days from generation and uses a P-256 key.
struct TestCertificates {
  std::string ca_file;          // ca.pem: the self-signed CA that tests trust
  std::string ca_key;           // ca.key
  std::string server_cert;      // server.pem: CA-signed, SAN DNS:localhost, IP:127.0.0.1
  std::string server_key;       // server.key
  std::string untrusted_cert;   // untrusted.pem: self-signed, same SAN, not signed by the CA
  std::string untrusted_key;    // untrusted.key
  std::string wrong_name_cert;  // wrongname.pem: CA-signed, SAN DNS:example.invalid only
  std::string wrong_name_key;   // wrongname.key

  // Generates all of the above into `dir` (which must exist) with the `openssl` command-line
  // tool. Throws std::runtime_error carrying the command and its output if openssl fails.
  static TestCertificates generate(const std::string& dir);
};

}  // namespace ferry::testing
