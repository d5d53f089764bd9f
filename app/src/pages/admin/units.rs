//! Units in the Super Admin console: every unit with its usage, a form to create one and to edit
//! one's settings (DDS's `create-unit` fields). The rules are `domain::units::check`, run by the
//! server; the form checks the same before sending, so a mistake is named at once.

use leptos::prelude::*;

use crate::api::units::{UnitSettings, UnitView, UNIT, UNITS};
use crate::api::{url, with_param};
use crate::client::api::send_json;
use crate::client::reload::load_on;
use crate::domain::quota::human_bytes;
use crate::domain::units::check;

/// DDS enters quotas in TB (1000⁴ bytes).
const TB: f64 = 1e12;

/// The form's fields as typed (numbers stay text until sent, so a half-typed value is kept).
#[derive(Clone, Default)]
struct Fields {
    public_id: RwSignal<String>,
    name: RwSignal<String>,
    display_name: RwSignal<String>,
    contact: RwSignal<String>,
    internal_ref: RwSignal<String>,
    quota_tb: RwSignal<String>,
    warning: RwSignal<String>,
    days_available: RwSignal<String>,
    days_expired: RwSignal<String>,
    bucket_prefix: RwSignal<String>,
}

impl Fields {
    fn fill(&self, unit: &UnitSettings) {
        self.public_id.set(unit.public_id.clone());
        self.name.set(unit.name.clone());
        self.display_name.set(unit.external_display_name.clone());
        self.contact.set(unit.contact_email.clone());
        self.internal_ref.set(unit.internal_ref.clone());
        self.quota_tb.set(format!("{}", unit.quota_bytes as f64 / TB));
        self.warning.set(format!("{}", unit.warning_level));
        self.days_available.set(unit.days_in_available.to_string());
        self.days_expired.set(unit.days_in_expired.to_string());
        self.bucket_prefix.set(unit.bucket_prefix.clone());
    }

    fn clear(&self) {
        self.fill(&UnitSettings {
            public_id: String::new(),
            name: String::new(),
            external_display_name: String::new(),
            contact_email: String::new(),
            internal_ref: String::new(),
            quota_bytes: 0,
            warning_level: 0.8,
            days_in_available: 90,
            days_in_expired: 30,
            bucket_prefix: String::new(),
        });
        self.quota_tb.set(String::new());
    }

    /// The settings, or a sentence naming the field that is wrong.
    fn settings(&self) -> Result<UnitSettings, String> {
        let number = |text: String, field: &str| {
            text.trim().parse::<f64>().map_err(|_| format!("The {field} must be a number."))
        };
        let whole = |text: String, field: &str| {
            text.trim().parse::<i64>().map_err(|_| format!("The {field} must be a whole number."))
        };
        let quota_tb = number(self.quota_tb.get_untracked(), "quota (TB)")?;
        let settings = UnitSettings {
            public_id: self.public_id.get_untracked().trim().to_string(),
            name: self.name.get_untracked().trim().to_string(),
            external_display_name: self.display_name.get_untracked().trim().to_string(),
            contact_email: self.contact.get_untracked().trim().to_string(),
            internal_ref: self.internal_ref.get_untracked().trim().to_string(),
            quota_bytes: (quota_tb * TB).round() as i64,
            warning_level: number(self.warning.get_untracked(), "warning level")?,
            days_in_available: whole(self.days_available.get_untracked(), "days in Available")?,
            days_in_expired: whole(self.days_expired.get_untracked(), "days in Expired")?,
            bucket_prefix: self.bucket_prefix.get_untracked().trim().to_string(),
        };
        check(&settings)?;
        Ok(settings)
    }
}

#[component]
pub fn UnitsConsole() -> impl IntoView {
    let (version, set_version) = signal(0u32);
    let (error, set_error) = signal(None::<String>);
    let (status, set_status) = signal(None::<String>);
    // `Some(public id)` while a unit is being edited.
    let editing = RwSignal::new(None::<String>);
    let fields = Fields::default();
    fields.clear();
    let units = load_on::<Vec<UnitView>>(UNITS, version);

    let save = {
        let fields = fields.clone();
        Action::new_local(move |settings: &UnitSettings| {
            let (settings, fields) = (settings.clone(), fields.clone());
            async move {
                let (method, path) = match editing.get_untracked() {
                    Some(id) => ("PATCH", url(&with_param(UNIT, &id))),
                    None => ("POST", url(UNITS)),
                };
                match send_json::<_, UnitView>(method, &path, &settings).await {
                    Ok(unit) => {
                        let verb = if editing.get_untracked().is_some() { "saved" } else { "created" };
                        set_status.set(Some(format!("Unit {} {verb}.", unit.settings.public_id)));
                        editing.set(None);
                        fields.clear();
                        set_version.update(|v| *v += 1);
                    }
                    Err(err) => set_error.set(Some(err.to_string())),
                }
            }
        })
    };
    let submit = {
        let fields = fields.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            set_error.set(None);
            set_status.set(None);
            match fields.settings() {
                Ok(settings) => {
                    save.dispatch(settings);
                }
                Err(sentence) => set_error.set(Some(sentence)),
            }
        }
    };
    let edit = {
        let fields = fields.clone();
        Callback::new(move |unit: UnitSettings| {
            set_error.set(None);
            set_status.set(None);
            fields.fill(&unit);
            editing.set(Some(unit.public_id));
        })
    };
    let cancel = {
        let fields = fields.clone();
        move |_| {
            editing.set(None);
            fields.clear();
        }
    };
    let Fields {
        public_id,
        name,
        display_name,
        contact,
        internal_ref,
        quota_tb,
        warning,
        days_available,
        days_expired,
        bucket_prefix,
    } = fields;

    view! {
        <section class="card" data-testid="units-card">
            <h2>"Units"</h2>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="units-error">{move || error.get()}</p>
            </Show>
            <Show when=move || status.get().is_some()>
                <p class="form-status" role="status" data-testid="units-status">{move || status.get()}</p>
            </Show>
            {move || match units.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="form-error">{message}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p>"No units yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-scroll">
                        <table class="table" data-testid="units">
                            <caption class="visually-hidden">"Units with their usage"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Unit"</th>
                                    <th scope="col">"Display name"</th>
                                    <th scope="col">"Contact"</th>
                                    <th scope="col" class="number">"Used"</th>
                                    <th scope="col" class="number">"Quota"</th>
                                    <th scope="col" class="number">"Projects"</th>
                                    <th scope="col" class="number">"Staff"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|unit| {
                                        let settings = unit.settings.clone();
                                        let id = settings.public_id.clone();
                                        let label = format!("Edit unit {id}");
                                        view! {
                                            <tr data-unit=id.clone()>
                                                <th scope="row">{id.clone()}</th>
                                                <td>{settings.external_display_name.clone()}</td>
                                                <td>{settings.contact_email.clone()}</td>
                                                <td class="number">{human_bytes(unit.used_bytes)}</td>
                                                <td class="number">{human_bytes(settings.quota_bytes)}</td>
                                                <td class="number">
                                                    {format!("{} ({} active)", unit.projects, unit.active_projects)}
                                                </td>
                                                <td class="number">{unit.staff}</td>
                                                <td>
                                                    <button
                                                        type="button"
                                                        aria-label=label
                                                        on:click=move |_| edit.run(settings.clone())
                                                    >
                                                        "Edit"
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any(),
            }}
            <h3>{move || match editing.get() {
                Some(id) => format!("Edit unit {id}"),
                None => "Create a unit".to_string(),
            }}</h3>
            <form class="stacked-form unit-form" data-testid="unit-form" on:submit=submit>
                <label>
                    "Public id"
                    <input
                        name="public_id"
                        required
                        bind:value=public_id
                        readonly=move || editing.get().is_some()
                        aria-describedby="unit-public-id-help"
                    />
                </label>
                <small id="unit-public-id-help">"Lowercase letters, digits and dashes; it cannot change later."</small>
                <label>"Name" <input name="name" required bind:value=name /></label>
                <label>
                    "Display name (researchers see it)"
                    <input name="external_display_name" required bind:value=display_name />
                </label>
                <label>"Contact email" <input name="contact_email" type="email" required bind:value=contact /></label>
                <label>
                    "Internal reference (project ids start with it)"
                    <input name="internal_ref" required bind:value=internal_ref />
                </label>
                <label>"Quota (TB)" <input name="quota_tb" inputmode="decimal" required bind:value=quota_tb /></label>
                <label>
                    "Warning level (fraction of the quota)"
                    <input name="warning_level" inputmode="decimal" required bind:value=warning />
                </label>
                <label>
                    "Days in Available"
                    <input name="days_in_available" inputmode="numeric" required bind:value=days_available />
                </label>
                <label>
                    "Days in Expired"
                    <input name="days_in_expired" inputmode="numeric" required bind:value=days_expired />
                </label>
                <label>
                    "Bucket prefix (empty: the server default)"
                    <input name="bucket_prefix" bind:value=bucket_prefix />
                </label>
                <div class="actions">
                    <button type="submit" data-testid="unit-submit">
                        {move || if editing.get().is_some() { "Save unit" } else { "Create unit" }}
                    </button>
                    <Show when=move || editing.get().is_some()>
                        <button type="button" on:click=cancel.clone()>"Cancel"</button>
                    </Show>
                </div>
            </form>
        </section>
    }
}
