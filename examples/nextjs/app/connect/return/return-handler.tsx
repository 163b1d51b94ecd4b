"use client";
// handleReturn() tells the widget that opened this tab, strips the error
// code from the URL and closes the tab. Once: Strict Mode runs effects twice
// in development, and a second call would find the code already stripped.
import { useEffect, useRef, useState } from "react";
import { handleReturn } from "layers-connect/return";

export function ReturnHandler() {
  const handled = useRef(false);
  const [message, setMessage] = useState("Finishing the connection…");
  useEffect(() => {
    if (handled.current) return;
    handled.current = true;
    const { error, closed } = handleReturn();
    if (!closed) {
      setMessage(
        error
          ? `The connection did not complete (${error}). You can close this tab.`
          : "You can close this tab and go back to your dashboard.",
      );
    }
  }, []);
  return <p id="message">{message}</p>;
}
