#include "test_certificates.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "process.h"

namespace ferry::testing {
namespace {

constexpr const char* kValidDays = "2";
constexpr const char* kFallbackOpenssl = "/usr/bin/openssl";

// The openssl executable: the first one on PATH, else the usual system location.
std::string openssl_path() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/openssl";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return kFallbackOpenssl;
}

// Runs `openssl args...`; throws with the command line and its output when it fails.
void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), openssl_path());
  RunResult result = run(args);
  if (result.exit_code == 0) return;
  std::string command;
  for (const auto& arg : args) command += (command.empty() ? "" : " ") + arg;
  throw std::runtime_error("certificate generation failed (exit " +
                           std::to_string(result.exit_code) + "): " + command + "\n" +
                           result.output);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// The arguments that make a new unencrypted P-256 key for `openssl req`.
std::vector<std::string> new_key_args(const std::string& key_file) {
  return {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
          key_file};
}

// A self-signed certificate with the given subject and extra `-addext` extensions.
void self_signed(const std::string& cert, const std::string& key, const std::string& subject,
                 const std::vector<std::string>& extensions) {
  std::vector<std::string> args = {"req", "-x509"};
  for (auto& arg : new_key_args(key)) args.push_back(arg);
  for (auto& arg : std::vector<std::string>{"-out", cert, "-days", kValidDays, "-subj", subject})
    args.push_back(arg);
  for (const auto& extension : extensions) {
    args.push_back("-addext");
    args.push_back(extension);
  }
  openssl(args);
}

// A leaf certificate for `subject_alt_name`, signed by the CA in `dir`.
void ca_signed(const std::string& dir, const std::string& name, const std::string& common_name,
               const std::string& subject_alt_name, const std::string& serial) {
  const std::string base = dir + "/" + name;
  std::vector<std::string> request = {"req", "-new"};
  for (auto& arg : new_key_args(base + ".key")) request.push_back(arg);
  for (auto& arg : std::vector<std::string>{"-out", base + ".csr", "-subj", "/CN=" + common_name})
    request.push_back(arg);
  openssl(request);

  write_file(base + ".ext", "subjectAltName=" + subject_alt_name +
                                "\nbasicConstraints=critical,CA:FALSE"
                                "\nkeyUsage=critical,digitalSignature,keyEncipherment"
                                "\nextendedKeyUsage=serverAuth\n");
  openssl({"x509", "-req", "-in", base + ".csr", "-CA", dir + "/ca.pem", "-CAkey", dir + "/ca.key",
           "-set_serial", serial, "-days", kValidDays, "-sha256", "-extfile", base + ".ext", "-out",
           base + ".pem"});
}

}  // namespace

TestCertificates TestCertificates::generate(const std::string& dir) {
  TestCertificates certs;
  certs.ca_file = dir + "/ca.pem";
  certs.ca_key = dir + "/ca.key";
  certs.server_cert = dir + "/server.pem";
  certs.server_key = dir + "/server.key";
  certs.untrusted_cert = dir + "/untrusted.pem";
  certs.untrusted_key = dir + "/untrusted.key";
  certs.wrong_name_cert = dir + "/wrongname.pem";
  certs.wrong_name_key = dir + "/wrongname.key";

  self_signed(certs.ca_file, certs.ca_key, "/CN=Ferry Test CA",
              {"basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"});
  ca_signed(dir, "server", "localhost", "DNS:localhost,IP:127.0.0.1", "2");
  ca_signed(dir, "wrongname", "example.invalid", "DNS:example.invalid", "3");
  self_signed(certs.untrusted_cert, certs.untrusted_key, "/CN=localhost",
              {"subjectAltName=DNS:localhost,IP:127.0.0.1", "basicConstraints=critical,CA:FALSE"});
  return certs;
}

}  // namespace ferry::testing
