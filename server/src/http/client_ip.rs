//! The client's address for rate limits and logs. Behind a reverse proxy every TCP connection
//! comes from the proxy, so its `X-Forwarded-For` names the client; but anyone can send that
//! header, so it is believed only when the TCP peer is one of the configured trusted proxies
//! (`trusted_proxies`), and then only up to the right-most address that is not itself a trusted
//! proxy (the left part of the header is whatever the client chose to send).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use http::request::Parts;

use crate::state::AppState;

/// An address or a CIDR block (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for IpRange {
    type Err = String;

    fn from_str(text: &str) -> Result<IpRange, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr =
            addr.parse().map_err(|_| format!("'{text}' is not an IP address or CIDR block"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(p) if p <= max => p,
                _ => return Err(format!("'{text}' has an invalid prefix length (0-{max})")),
            },
        };
        Ok(IpRange { network, prefix })
    }
}

impl IpRange {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.7`) as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client's address: the TCP peer, or, when the peer is a trusted proxy, the right-most
/// address of `X-Forwarded-For` that is not a trusted proxy. An unreadable entry stops the walk
/// at the last address known to be a trusted proxy's view.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[IpRange],
) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|range| range.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.flat_map(|value| value.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = canonical(ip);
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// The extractor: the client's address as [`client_ip`] decides.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = super::error::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ClientIp, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .ok_or_else(|| super::error::ApiError::Internal("no peer address".into()))?;
        let state = AppState::from_ref(state);
        let values = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        Ok(ClientIp(client_ip(peer, values, &state.config.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(list: &[&str]) -> Vec<IpRange> {
        list.iter().map(|r| r.parse().unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_match() {
        let r: IpRange = "10.0.0.0/8".parse().unwrap();
        assert!(r.contains(ip("10.1.2.3")));
        assert!(!r.contains(ip("11.0.0.1")));
        assert!(r.contains(ip("::ffff:10.0.0.1")), "IPv4-mapped addresses count as IPv4");
        let single: IpRange = "192.0.2.7".parse().unwrap();
        assert!(single.contains(ip("192.0.2.7")) && !single.contains(ip("192.0.2.8")));
        let v6: IpRange = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!("0.0.0.0/0".parse::<IpRange>().unwrap().contains(ip("8.8.8.8")));
        for bad in ["", "proxy", "10.0.0.0/33", "::/129", "10.0.0.0/x"] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = ranges(&["10.0.0.0/8"]);
        let xff = |v: &'static str| std::iter::once(v);
        // An untrusted peer: its header is ignored.
        assert_eq!(client_ip(ip("203.0.113.9"), xff("198.51.100.1"), &trusted), ip("203.0.113.9"));
        // A trusted proxy: the right-most untrusted address; what the client prepended is ignored.
        assert_eq!(
            client_ip(ip("10.0.0.2"), xff("1.1.1.1, 198.51.100.1, 10.0.0.3"), &trusted),
            ip("198.51.100.1")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(client_ip(ip("10.0.0.2"), std::iter::empty(), &trusted), ip("10.0.0.2"));
        assert_eq!(client_ip(ip("10.0.0.2"), xff("nonsense"), &trusted), ip("10.0.0.2"));
        // Nothing trusted: never believed.
        assert_eq!(client_ip(ip("10.0.0.2"), xff("198.51.100.1"), &[]), ip("10.0.0.2"));
    }
}
