// GOV.UK Frontend styles its components for JavaScript only when these classes are set.
// Kept in a file (not inline) so the Content-Security-Policy can forbid inline script.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
