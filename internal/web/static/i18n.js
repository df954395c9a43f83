// English and Korean. The language comes from the browser unless the user
// chose one; only that choice is kept in localStorage (never a credential).

const en = {
  skip: 'Skip to content', language: 'Language', signout: 'Sign out', signin: 'Sign in', signup: 'Create account',
  'signin.failed': 'Could not sign in.', 'signin.new': 'New to OmniVibe?', 'signup.have': 'Already have an account?',
  'account.single': 'Your workspace. In OmniVibe Pro each user belongs to one workspace, so there is nothing to switch to.',
  'role.owner': 'Owner', 'role.admin': 'Admin', 'role.member': 'Member', 'role.viewer': 'Viewer',
  'nav.label': 'Main', 'nav.campaigns': 'Campaigns', 'nav.clients': 'Clients', 'nav.writer': 'Script writer',
  'nav.voice': 'Voice-over', 'nav.billing': 'Billing', 'nav.keys': 'API keys',
  'error.title': 'Something went wrong', 'error.notfound.title': 'Not found',
  'error.notfound': 'There is no such item in your workspace.', 'error.back': 'Back to campaigns',
  'f.email': 'Email', 'f.password': 'Password', 'f.password.hint': '8–128 characters with a lower case letter, an upper case letter and a digit.',
  'f.yourname': 'Your name', 'f.account_name': 'Workspace name', 'f.account_name.hint': 'Your agency; you can rename it later.',
  'f.name': 'Name', 'f.name.hint': 'Unique in your workspace.', 'f.client': 'Client', 'f.description': 'Description',
  'f.platform': 'Platform', 'f.tone': 'Tone', 'f.gender': 'Voice gender', 'f.style': 'Style', 'f.status': 'Status',
  'f.target_duration': 'Target duration (seconds)', 'f.target_duration.hint': '10–600 seconds.',
  'f.start_date': 'Start date', 'f.end_date': 'End date', 'f.voice_name': 'Voice name', 'f.publish_schedule': 'Publishing schedule',
  'f.industry': 'Industry', 'f.brand_color': 'Brand colour', 'f.brand_color.hint': 'As #RRGGBB, e.g. #6F4E37.',
  'f.contact_email': 'Contact email', 'f.website_url': 'Website', 'f.logo_url': 'Logo URL',
  'f.topic': 'Topic', 'f.language': 'Language', 'f.campaign': 'Campaign', 'f.campaign.hint': 'Gives the writer context; needed to save the script to a content.',
  'f.text': 'Script text', 'f.voice': 'Voice', 'f.voice.hint': 'A voice of the server’s speech provider; “default” always works.',
  'f.threshold': 'Accuracy threshold (0–1)', 'f.attempts': 'Attempts at most', 'f.keyname': 'Key name',
  'f.expires': 'Expires in (days)', 'f.expires.hint': '1–365; leave empty for a key that does not expire.',
  search: 'Search by name', any: 'Any', filter: 'Apply', none: '—', choose: 'Choose…', updated: 'Updated', actions: 'Actions',
  create: 'Create', save: 'Save', cancel: 'Cancel', delete: 'Delete', edit: 'Edit', copy: 'Copy', yes: 'Yes', no: 'No',
  'delete.named': 'Delete {name}', deleted: '{name} was deleted.', saved: '{name} was saved.',
  prev: 'Previous', next: 'Next', pages: 'Pages', 'page.of': 'Page {page} of {pages}', month: 'month',
  'campaign.new': 'New campaign', 'campaign.none': 'No campaigns match.', 'campaign.count': '{n} campaigns',
  'campaign.noclients': 'Campaigns belong to a client: add one first.',
  'confirm.campaign': 'Delete the campaign “{name}” with its contents, scripts and voice-overs? This cannot be undone.',
  'confirm.client': 'Delete the client “{name}”? This cannot be undone.',
  'confirm.key': 'Revoke the key “{name}”? Programs using it stop working at once.',
  'status.active': 'Active', 'status.paused': 'Paused', 'status.completed': 'Completed', 'status.archived': 'Archived',
  'tone.professional': 'Professional', 'tone.friendly': 'Friendly', 'tone.casual': 'Casual', 'tone.humorous': 'Humorous', 'tone.serious': 'Serious', 'tone.energetic': 'Energetic',
  'gender.female': 'Female', 'gender.male': 'Male', 'gender.neutral': 'Neutral',
  'style.soft': 'Soft', 'style.intense': 'Intense', 'style.calm': 'Calm', 'style.energetic': 'Energetic', 'style.cinematic': 'Cinematic', 'style.minimal': 'Minimal', 'style.dynamic': 'Dynamic',
  contents: 'Contents', 'contents.none': 'No contents yet.', 'writer.forcampaign': 'Write a script for this campaign',
  'cstatus.draft': 'Draft', 'cstatus.script_generated': 'Script written', 'cstatus.audio_generated': 'Voice-over made', 'cstatus.published': 'Published', 'cstatus.archived': 'Archived',
  'client.new': 'New client', 'client.none': 'No clients yet.', 'client.count': '{n} clients', 'client.hascampaigns': 'This client still has campaigns: delete those first.',
  'lang.en': 'English', 'lang.ko': 'Korean', 'lang.ja': 'Japanese', 'lang.zh': 'Chinese',
  'writer.generate': 'Write script', 'writer.writing': 'Writing…', 'writer.script': 'Script', 'writer.provider': 'Writer',
  'writer.cached': 'the same request’s earlier script', 'writer.total': 'Estimated {est} of {target} target',
  'writer.within': 'within ±10 %', 'writer.outside': 'outside ±10 %: edit or regenerate',
  'writer.regenerate': 'Regenerate', 'writer.save': 'Save to a content', 'writer.tovoice': 'Make the voice-over',
  'writer.needcampaign': 'Choose a campaign above, then save.', 'writer.saved': 'Saved as the content “{title}”.',
  'block.hook': 'Hook', 'block.body': 'Body', 'block.cta': 'Call to action', 'block.edit.named': 'Edit {type} (block {n})',
  'block.text': '{type} text', 'block.apply': 'Apply',
  'voice.start': 'Start voice-over', 'voice.provider': 'The speech provider is the server’s (espeak-ng and pocketsphinx offline, or a hosted one); each task shows which it used.',
  'voice.recent': 'Recent voice-overs', 'voice.none': 'No voice-overs yet.', 'voice.task': 'Voice-over', 'voice.progress': 'Progress',
  'voice.attempt': 'Attempt', 'voice.similarity': 'Similarity', 'voice.threshold': 'threshold', 'voice.engine': 'Engines', 'voice.verified': 'Checked by speech recognition',
  'voice.retrying': 'The server did not answer; asking again in {s} s.', 'voice.player': 'Voice-over audio', 'voice.download': 'Download',
  'voice.script': 'Script as spoken', 'voice.heard': 'What the recognizer heard', 'voice.attempts': 'Attempts', 'voice.back': 'All voice-overs',
  'astatus.queued': 'Queued', 'astatus.running': 'Running', 'astatus.succeeded': 'Succeeded', 'astatus.partial': 'Partly matched', 'astatus.failed': 'Failed', 'astatus.cancelled': 'Cancelled',
  'stage.queued': 'waiting', 'stage.normalizing': 'preparing text', 'stage.synthesizing': 'speaking', 'stage.transcribing': 'listening', 'stage.scoring': 'scoring', 'stage.storing': 'storing', 'stage.done': 'done',
  'word.ok': 'heard', 'word.missing': 'missing', 'word.substituted': 'heard differently', 'word.heard': 'heard as “{heard}”',
  'word.extra': 'said, not in the script', 'voice.flagged': '{n} flagged',
  'billing.plan': 'Plan', 'billing.period': 'Period {period}; the counts reset on {resets}.', 'billing.choose': 'Plans',
  'billing.change': 'Change plan', 'billing.owneronly': 'Only the workspace’s owner can change the plan.', 'billing.changed': 'The plan is now {plan}.',
  'usage.scripts': 'Scripts', 'usage.audio': 'Voice-overs', 'usage.of': '{used} of {limit}', 'usage.unlimited': '{used} (unlimited)',
  'keys.new': 'New key', 'keys.create': 'Create key', 'keys.list': 'Keys', 'keys.none': 'No keys.', 'keys.prefix': 'Starts with',
  'keys.created': 'Created', 'keys.lastused': 'Last used', 'keys.expires': 'Expires', 'keys.revoke': 'Revoke', 'keys.revoke.named': 'Revoke {name}',
  'keys.revoked': 'The key {name} was revoked.', 'keys.once': 'Your new key', 'keys.oncehint': 'Copy it now: it is shown only once.',
  'keys.value': 'API key', 'keys.copied': 'Copied.', 'keys.done': 'Done',
};

const ko = {
  skip: '본문으로 건너뛰기', language: '언어', signout: '로그아웃', signin: '로그인', signup: '계정 만들기',
  'signin.failed': '로그인하지 못했습니다.', 'signin.new': 'OmniVibe가 처음이신가요?', 'signup.have': '이미 계정이 있나요?',
  'account.single': '내 워크스페이스. OmniVibe Pro에서 사용자는 워크스페이스 하나에만 속하므로 전환할 곳이 없습니다.',
  'role.owner': '소유자', 'role.admin': '관리자', 'role.member': '멤버', 'role.viewer': '뷰어',
  'nav.label': '주 메뉴', 'nav.campaigns': '캠페인', 'nav.clients': '클라이언트', 'nav.writer': '스크립트 작성',
  'nav.voice': '보이스오버', 'nav.billing': '요금제', 'nav.keys': 'API 키',
  'error.title': '문제가 생겼습니다', 'error.notfound.title': '찾을 수 없음',
  'error.notfound': '워크스페이스에 그런 항목이 없습니다.', 'error.back': '캠페인으로 돌아가기',
  'f.email': '이메일', 'f.password': '비밀번호', 'f.password.hint': '8–128자, 영문 소문자·대문자·숫자를 각각 하나 이상.',
  'f.yourname': '이름', 'f.account_name': '워크스페이스 이름', 'f.account_name.hint': '대행사 이름. 나중에 바꿀 수 있습니다.',
  'f.name': '이름', 'f.name.hint': '워크스페이스 안에서 고유해야 합니다.', 'f.client': '클라이언트', 'f.description': '설명',
  'f.platform': '플랫폼', 'f.tone': '톤', 'f.gender': '목소리 성별', 'f.style': '스타일', 'f.status': '상태',
  'f.target_duration': '목표 길이(초)', 'f.target_duration.hint': '10–600초.',
  'f.start_date': '시작일', 'f.end_date': '종료일', 'f.voice_name': '목소리 이름', 'f.publish_schedule': '게시 일정',
  'f.industry': '업종', 'f.brand_color': '브랜드 색상', 'f.brand_color.hint': '#RRGGBB 형식, 예: #6F4E37.',
  'f.contact_email': '담당자 이메일', 'f.website_url': '웹사이트', 'f.logo_url': '로고 URL',
  'f.topic': '주제', 'f.language': '언어', 'f.campaign': '캠페인', 'f.campaign.hint': '작성에 맥락을 줍니다. 콘텐츠로 저장하려면 필요합니다.',
  'f.text': '스크립트 텍스트', 'f.voice': '목소리', 'f.voice.hint': '서버 음성 제공자의 목소리. “default”는 항상 됩니다.',
  'f.threshold': '정확도 기준(0–1)', 'f.attempts': '최대 시도 횟수', 'f.keyname': '키 이름',
  'f.expires': '만료(일)', 'f.expires.hint': '1–365. 비워 두면 만료되지 않습니다.',
  search: '이름으로 검색', any: '전체', filter: '적용', none: '—', choose: '선택…', updated: '수정일', actions: '작업',
  create: '만들기', save: '저장', cancel: '취소', delete: '삭제', edit: '편집', copy: '복사', yes: '예', no: '아니요',
  'delete.named': '{name} 삭제', deleted: '{name}을(를) 삭제했습니다.', saved: '{name}을(를) 저장했습니다.',
  prev: '이전', next: '다음', pages: '페이지', 'page.of': '{pages}쪽 중 {page}쪽', month: '월',
  'campaign.new': '새 캠페인', 'campaign.none': '맞는 캠페인이 없습니다.', 'campaign.count': '캠페인 {n}개',
  'campaign.noclients': '캠페인은 클라이언트에 속합니다. 먼저 클라이언트를 추가하세요.',
  'confirm.campaign': '캠페인 “{name}”과 그 콘텐츠, 스크립트, 보이스오버를 삭제할까요? 되돌릴 수 없습니다.',
  'confirm.client': '클라이언트 “{name}”을(를) 삭제할까요? 되돌릴 수 없습니다.',
  'confirm.key': '키 “{name}”을(를) 폐기할까요? 이 키를 쓰는 프로그램은 즉시 멈춥니다.',
  'status.active': '진행 중', 'status.paused': '일시 중지', 'status.completed': '완료', 'status.archived': '보관',
  'tone.professional': '전문적', 'tone.friendly': '친근한', 'tone.casual': '캐주얼', 'tone.humorous': '유머러스', 'tone.serious': '진지한', 'tone.energetic': '활기찬',
  'gender.female': '여성', 'gender.male': '남성', 'gender.neutral': '중성',
  'style.soft': '부드러운', 'style.intense': '강렬한', 'style.calm': '차분한', 'style.energetic': '활기찬', 'style.cinematic': '영화 같은', 'style.minimal': '미니멀', 'style.dynamic': '역동적',
  contents: '콘텐츠', 'contents.none': '아직 콘텐츠가 없습니다.', 'writer.forcampaign': '이 캠페인의 스크립트 쓰기',
  'cstatus.draft': '초안', 'cstatus.script_generated': '스크립트 완료', 'cstatus.audio_generated': '보이스오버 완료', 'cstatus.published': '게시됨', 'cstatus.archived': '보관',
  'client.new': '새 클라이언트', 'client.none': '아직 클라이언트가 없습니다.', 'client.count': '클라이언트 {n}곳', 'client.hascampaigns': '이 클라이언트에 캠페인이 남아 있습니다. 먼저 삭제하세요.',
  'lang.en': '영어', 'lang.ko': '한국어', 'lang.ja': '일본어', 'lang.zh': '중국어',
  'writer.generate': '스크립트 쓰기', 'writer.writing': '쓰는 중…', 'writer.script': '스크립트', 'writer.provider': '작성기',
  'writer.cached': '같은 요청의 이전 스크립트', 'writer.total': '예상 {est} / 목표 {target}',
  'writer.within': '±10 % 이내', 'writer.outside': '±10 % 밖: 편집하거나 다시 쓰세요',
  'writer.regenerate': '다시 쓰기', 'writer.save': '콘텐츠로 저장', 'writer.tovoice': '보이스오버 만들기',
  'writer.needcampaign': '위에서 캠페인을 고른 뒤 저장하세요.', 'writer.saved': '콘텐츠 “{title}”(으)로 저장했습니다.',
  'block.hook': '훅', 'block.body': '본문', 'block.cta': '행동 유도', 'block.edit.named': '{type} 편집(블록 {n})',
  'block.text': '{type} 텍스트', 'block.apply': '적용',
  'voice.start': '보이스오버 시작', 'voice.provider': '음성 제공자는 서버 설정을 따릅니다(오프라인 espeak-ng와 pocketsphinx, 또는 호스팅 서비스). 작업마다 사용한 엔진이 표시됩니다.',
  'voice.recent': '최근 보이스오버', 'voice.none': '아직 보이스오버가 없습니다.', 'voice.task': '보이스오버', 'voice.progress': '진행률',
  'voice.attempt': '시도', 'voice.similarity': '유사도', 'voice.threshold': '기준', 'voice.engine': '엔진', 'voice.verified': '음성 인식으로 확인',
  'voice.retrying': '서버가 응답하지 않아 {s}초 뒤 다시 묻습니다.', 'voice.player': '보이스오버 오디오', 'voice.download': '다운로드',
  'voice.script': '읽은 스크립트', 'voice.heard': '인식된 내용', 'voice.attempts': '시도 기록', 'voice.back': '모든 보이스오버',
  'astatus.queued': '대기', 'astatus.running': '진행 중', 'astatus.succeeded': '성공', 'astatus.partial': '부분 일치', 'astatus.failed': '실패', 'astatus.cancelled': '취소됨',
  'stage.queued': '대기 중', 'stage.normalizing': '텍스트 준비', 'stage.synthesizing': '음성 합성', 'stage.transcribing': '음성 인식', 'stage.scoring': '채점', 'stage.storing': '저장', 'stage.done': '완료',
  'word.ok': '인식됨', 'word.missing': '누락', 'word.substituted': '다르게 인식', 'word.heard': '“{heard}”(으)로 인식',
  'word.extra': '스크립트에 없는 말', 'voice.flagged': '{n}개 단어 표시됨',
  'billing.plan': '요금제', 'billing.period': '기간 {period}. {resets}에 초기화됩니다.', 'billing.choose': '요금제',
  'billing.change': '요금제 변경', 'billing.owneronly': '워크스페이스 소유자만 요금제를 바꿀 수 있습니다.', 'billing.changed': '요금제가 {plan}(으)로 바뀌었습니다.',
  'usage.scripts': '스크립트', 'usage.audio': '보이스오버', 'usage.of': '{limit} 중 {used}', 'usage.unlimited': '{used} (무제한)',
  'keys.new': '새 키', 'keys.create': '키 만들기', 'keys.list': '키 목록', 'keys.none': '키가 없습니다.', 'keys.prefix': '시작 문자',
  'keys.created': '만든 날', 'keys.lastused': '마지막 사용', 'keys.expires': '만료', 'keys.revoke': '폐기', 'keys.revoke.named': '{name} 폐기',
  'keys.revoked': '키 {name}을(를) 폐기했습니다.', 'keys.once': '새 키', 'keys.oncehint': '지금 복사하세요. 한 번만 보여 줍니다.',
  'keys.value': 'API 키', 'keys.copied': '복사했습니다.', 'keys.done': '완료',
};

const dicts = { en, ko };
const STORE = 'omnivibe.lang';

function initial() {
  try {
    const saved = localStorage.getItem(STORE);
    if (saved && dicts[saved]) return saved;
  } catch { /* storage may be off: fall back to the browser's language */ }
  return (navigator.languages || [navigator.language || 'en']).some(l => /^ko\b/i.test(l)) ? 'ko' : 'en';
}

let current = initial();
document.documentElement.lang = current;

export function lang() { return current; }

export function setLang(l) {
  if (!dicts[l]) return;
  current = l;
  document.documentElement.lang = l;
  try { localStorage.setItem(STORE, l); } catch { /* the choice lasts this visit */ }
}

export function t(key, vars) {
  let s = dicts[current][key] ?? en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
  return s;
}
