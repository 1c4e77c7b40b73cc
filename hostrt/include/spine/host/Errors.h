// The exceptions a host application sees when it talks to an extension through generated stubs.
// Everything derives from spine::host::Error, so one catch clause can handle every failure of a call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace spine::host {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &what) : std::runtime_error(what) {}
};

// A blocking call got no reply within its timeout. The call is forgotten: a late reply is dropped.
class Timeout : public Error {
public:
  explicit Timeout(const std::string &what) : Error(what) {}
};

// The channel was closed (or destroyed) while the call was pending, or a call was made on a closed channel.
class ChannelClosed : public Error {
public:
  explicit ChannelClosed(const std::string &what) : Error(what) {}
};

// A value given by the host does not belong to the type of the interface (a subrange or enumeration value out
// of range, an open array too long for the wire). Thrown before anything is sent.
class ValueOutOfRange : public Error {
public:
  ValueOutOfRange(const std::string &field, const std::string &what)
      : Error("value out of range in " + field + ": " + what), field_(field) {}
  const std::string &field() const { return field_; }

private:
  std::string field_;
};

// A message that does not follow docs/messages.md: `field` names what was being read, `offset` is its byte
// offset in the message.
class BadMessage : public Error {
public:
  BadMessage(const std::string &field, std::size_t offset, const std::string &what)
      : Error("bad message: " + field + " at offset " + std::to_string(offset) + ": " + what),
        field_(field), offset_(offset) {}
  const std::string &field() const { return field_; }
  std::size_t offset() const { return offset_; }

private:
  std::string field_;
  std::size_t offset_;
};

// The extension's side refused a request as malformed (a "bad message" reply), with its reason.
class RequestRejected : public Error {
public:
  explicit RequestRejected(const std::string &reason)
      : Error("request rejected by the NIC: " + reason), reason_(reason) {}
  const std::string &reason() const { return reason_; }

private:
  std::string reason_;
};

// The extension stopped with a checked runtime error while it ran the request. `kind` is an spx_trap_kind
// (include/spine/abi.h); kindName() its words ("range", "integer overflow", ...).
class ExtensionTrapped : public Error {
public:
  ExtensionTrapped(std::uint32_t kind, std::string kindName, std::string file, std::uint32_t line)
      : Error("extension trapped: checked runtime error: " + kindName + " at " + file + ":" + std::to_string(line)),
        kind_(kind), kindName_(std::move(kindName)), file_(std::move(file)), line_(line) {}
  std::uint32_t kind() const { return kind_; }
  const std::string &kindName() const { return kindName_; }
  const std::string &file() const { return file_; }
  std::uint32_t line() const { return line_; }

private:
  std::uint32_t kind_;
  std::string kindName_, file_;
  std::uint32_t line_;
};

// Base of the C++ class generated for each exception of a message interface. The generated class carries the
// exception's argument (arg()) when it has one.
class RemoteException : public Error {
public:
  RemoteException(std::string interfaceName, std::string exceptionName)
      : Error(interfaceName + "." + exceptionName + " raised by the extension"),
        interface_(std::move(interfaceName)), exception_(std::move(exceptionName)) {}
  const std::string &interfaceName() const { return interface_; }
  const std::string &exceptionName() const { return exception_; }

private:
  std::string interface_, exception_;
};

}  // namespace spine::host
