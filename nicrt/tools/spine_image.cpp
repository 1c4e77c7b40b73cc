// spine-image: look at, verify, and make keys for .spxo extension images.
//   spine-image show FILE.spxo
//   spine-image verify --trust KEY.pub [--trust KEY.pub ...] FILE.spxo
//   spine-image keygen PREFIX
// Exit status: 0 success, 1 the image is refused (or a key cannot be made), 2 bad usage.
#include "image/ImageReader.h"
#include "image/Keys.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace spine::image;

const char* const kUsage =
    "USAGE: spine-image show FILE.spxo\n"
    "       spine-image verify --trust KEY.pub [--trust KEY.pub ...] FILE.spxo\n"
    "       spine-image keygen PREFIX\n"
    "\n"
    "  show    print the image's manifest, files, trap sites and signer, and whether the signature is intact\n"
    "  verify  accept the image only if its signature verifies and its signer is one of the --trust keys\n"
    "  keygen  make a signing key pair: PREFIX.key (secret, mode 0600) and PREFIX.pub (give it to deployers)\n"
    "\n"
    "Exit status: 0 success, 1 the image is refused or the key cannot be made, 2 bad usage.\n";

int usageError(const std::string& message) {
  std::cerr << "spine-image: error: " << message << "\nRun 'spine-image --help' for the usage.\n";
  return 2;
}

int error(const std::string& message) {
  std::cerr << "spine-image: error: " << message << "\n";
  return 1;
}

bool readFile(const std::string& path, std::string& bytes, std::string& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  bytes = s.str();
  return true;
}

std::string hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

void printRefs(const char* title, const std::vector<InterfaceRef>& refs) {
  std::cout << title << ": " << refs.size() << "\n";
  for (const InterfaceRef& r : refs) std::cout << "  " << r.name << " " << hex16(r.fingerprint) << "\n";
}

void printList(const char* title, const std::vector<std::string>& items) {
  std::cout << "    " << title << ":";
  for (const std::string& s : items) std::cout << " " << s;
  std::cout << "\n";
}

void printImage(const Image& image) {
  const Manifest& m = image.manifest;
  std::cout << "module: " << m.module << "\n" << "target: " << m.target << "\n";
  printRefs("imports", m.imports);
  printRefs("exports", m.exports);
  std::cout << "handlers: " << m.handlers.size() << "\n";
  for (const Handler& h : m.handlers) {
    std::cout << "  " << h.event << " -> " << h.procedure;
    if (!h.guard.empty()) std::cout << " (guard " << h.guard << ")";
    std::cout << "\n";
  }
  std::cout << "messages: " << m.messages.size() << "\n";
  for (const MessageInterface& mi : m.messages) {
    std::cout << "  " << mi.name << " " << hex16(mi.fingerprint) << "\n";
    printList("requests", mi.requests);
    printList("events", mi.events);
  }
  std::cout << "code: " << image.code.size() << " bytes\n";
  std::cout << "files: " << image.files.size() << "\n";
  for (size_t i = 0; i < image.files.size(); ++i) std::cout << "  " << i << " " << image.files[i] << "\n";
  std::cout << "trap sites: " << image.sites.size() << "\n";
}

int show(const std::string& path) {
  std::string bytes, err;
  if (!readFile(path, bytes, err)) return error(err);
  UnverifiedRead r = readImageUnverified(bytes);
  std::cout << "image: " << path << " (" << bytes.size() << " bytes)\n";
  if (r.image) printImage(*r.image);
  std::cout << "signer: " << (r.signer ? "key " + keyId(*r.signer) : std::string("none")) << "\n";
  std::cout << "signature: " << (r.signatureIntact ? "intact" : "NOT intact (" + r.signatureProblem + ")") << "\n";
  if (!r.image) return error(path + ": " + r.error);
  if (!r.signatureIntact) return error(path + ": " + r.signatureProblem);
  return 0;
}

int verify(const std::vector<std::string>& keyPaths, const std::string& path) {
  std::vector<PublicKey> trusted;
  std::string err;
  for (const std::string& k : keyPaths) {
    std::optional<PublicKey> key = readPublicKey(k, err);
    if (!key) return error(err);
    trusted.push_back(*key);
  }
  std::string bytes;
  if (!readFile(path, bytes, err)) return error(err);
  ReadResult r = readImage(bytes, trusted);
  if (!r.ok()) return error(path + ": " + r.error);
  std::cout << path << ": verified: module " << (*r.image)->manifest.module << ", signed by trusted key "
            << keyId(*r.signer) << "\n";
  return 0;
}

int keygen(const std::string& prefix) {
  std::string err;
  std::optional<KeyPair> kp = writeKeyPair(prefix, err);
  if (!kp) return error(err);
  std::cout << "wrote " << prefix << ".key (secret: keep it private) and " << prefix << ".pub (key id "
            << keyId(kp->publicKey) << ": deployers trust it with --trust " << prefix << ".pub)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usageError("no command given (show, verify or keygen)");
  const std::string& cmd = args[0];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (cmd == "show" || cmd == "keygen") {
    if (args.size() != 2) return usageError("'" + cmd + "' takes exactly one argument");
    return cmd == "show" ? show(args[1]) : keygen(args[1]);
  }
  if (cmd == "verify") {
    std::vector<std::string> keys, files;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--trust") {
        if (i + 1 == args.size()) return usageError("--trust needs a public key file");
        keys.push_back(args[++i]);
      } else if (args[i].rfind("--trust=", 0) == 0) {
        keys.push_back(args[i].substr(8));
      } else if (args[i].size() > 1 && args[i][0] == '-') {
        return usageError("unknown option '" + args[i] + "' for verify");
      } else {
        files.push_back(args[i]);
      }
    }
    if (keys.empty()) return usageError("verify needs at least one --trust KEY.pub");
    if (files.size() != 1) return usageError("verify takes exactly one image file");
    return verify(keys, files[0]);
  }
  return usageError("unknown command '" + cmd + "' (expected show, verify or keygen)");
}
