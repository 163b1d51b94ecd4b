//! layers-connect: the "Connect your TikTok / Instagram account" widget for
//! partners of the Layers API.
#![deny(missing_docs)]
