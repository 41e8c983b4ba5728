# embed_text(TARGET SOURCE_FILE SYMBOL): compiles SOURCE_FILE into TARGET as
# `extern const char* const SYMBOL;`, so the binary needs no data files at run time.
function(embed_text target source symbol)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DSOURCE=${source} -DOUTPUT=${out} -DSYMBOL=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/WriteEmbeddedText.cmake"
    DEPENDS "${source}" "${PROJECT_SOURCE_DIR}/cmake/WriteEmbeddedText.cmake"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
