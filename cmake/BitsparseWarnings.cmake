# Warning and sanitizer flags, applied per target so tests get the same rules.
function(bitsparse_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wvla)
  if(BITSPARSE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(BITSPARSE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
      -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
