file(READ "${SOURCE}" content)
file(WRITE "${OUTPUT}"
  "// Generated from ${SOURCE}; edit that file instead.\n"
  "namespace cora::embedded { extern const char* const ${SYMBOL}; }\n"
  "const char* const cora::embedded::${SYMBOL} = R\"cora_embedded(${content})cora_embedded\";\n")
